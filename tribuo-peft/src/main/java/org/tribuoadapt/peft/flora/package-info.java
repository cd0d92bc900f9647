/**
 * FLoRA (Si et al. 2024): weight updates as a Tucker decomposition with a small trainable core, N-mode for convolutions.
 */
package org.tribuoadapt.peft.flora;
