/**
 * CorDA (Yang et al. 2024, "CorDA: Context-Oriented Decomposition Adaptation of Large Language Models"): the input
 * covariance of each targeted layer, collected on task batches and stored in a covariance file, and the
 * covariance-weighted decomposition of the weight that a LoRA adapter with {@code init_lora_weights = "corda"} starts
 * from.
 */
package org.tribuoadapt.peft.corda;
