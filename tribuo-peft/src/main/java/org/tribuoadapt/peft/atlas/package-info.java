/**
 * aTLAS (Zhang et al. 2024): learned anisotropic scaling of task vectors, one coefficient per task and parameter block.
 */
package org.tribuoadapt.peft.atlas;
