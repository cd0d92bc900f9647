/**
 * SoRA (Ding et al. 2023): LoRA with a sparse gate trained by proximal gradient steps, pruned to its nonzero ranks.
 */
package org.tribuoadapt.peft.sora;
