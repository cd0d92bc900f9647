/**
 * SVFit (Sun et al. 2024): fine-tuning only the top singular values of the frozen weights.
 */
package org.tribuoadapt.peft.svfit;
