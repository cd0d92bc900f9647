/**
 * (IA)^3 (Liu et al. 2022): learned vectors that rescale layer inputs or outputs.
 */
package org.tribuoadapt.peft.ia3;
