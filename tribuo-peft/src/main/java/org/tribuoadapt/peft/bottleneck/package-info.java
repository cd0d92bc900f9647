/**
 * Bottleneck adapters (Houlsby et al. 2019; Pfeiffer et al. 2021) around the residual branches of Transformer blocks,
 * sequential or parallel (He et al. 2022, "Towards a Unified View of Parameter-Efficient Transfer Learning").
 */
package org.tribuoadapt.peft.bottleneck;
