package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;

/**
 * The base layer as the forward pass of an {@link AdaptedLayer} sees it, for merging a stack of adapters. The forward
 * pass gives every module the output of the frozen base layer, so each module's merge is computed against these
 * tensors and not against the weight already changed by the modules merged before it; the merged layer then equals
 * the unmerged stack whatever the order of the adapters.
 *
 * @param weight The base weight {@code W0}, as the target holds it while unmerged.
 * @param inputScaledWeight The weight that computes the base layer's output in the forward pass: {@code W0} with every
 *     active module's input scaling (IA3 on a feed-forward layer) folded in, {@code W0} itself when there is none.
 * @param bias The base bias {@code b0}, or null when the layer has none.
 * @param inputShiftedBias The bias that computes the base layer's output in the forward pass: {@code b0} with every
 *     active module's affine input transform (a ZeroI2V linear adapter before the layer) folded in, {@code b0} itself
 *     when there is none; null when the layer has no bias.
 */
public record MergeBase(NDArray weight, NDArray inputScaledWeight, NDArray bias, NDArray inputShiftedBias) {

    /**
     * The base of a module alone at its layer: the target's current weight and bias.
     * @param target The layer.
     * @return The base.
     */
    public static MergeBase of(TargetLayer target) {
        NDArray weight = target.weight().array();
        NDArray bias = target.bias() == null ? null : target.bias().array();
        return new MergeBase(weight, weight, bias, bias);
    }
}
