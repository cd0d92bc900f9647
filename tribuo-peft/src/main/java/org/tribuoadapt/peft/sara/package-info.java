/**
 * SaRA (Hu et al., ICLR 2025, "SaRA: High-Efficient Diffusion Model Fine-tuning with Progressive Sparse Low-Rank
 * Adaptation"): fine-tuning of the smallest-magnitude weights of each targeted layer, with a progressive re-selection
 * and a nuclear-norm penalty on the sparse update.
 */
package org.tribuoadapt.peft.sara;
