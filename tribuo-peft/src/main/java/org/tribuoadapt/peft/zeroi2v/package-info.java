/**
 * ZeroI2V's linear adapters (Li et al. 2024, "ZeroI2V: Zero-Cost Adaptation of Pre-trained Transformers from Image to
 * Video"): bottleneck adapters without a non-linearity around Linear layers, folded into the layers' weights after
 * training so that the adapted network costs nothing extra at inference.
 */
package org.tribuoadapt.peft.zeroi2v;
