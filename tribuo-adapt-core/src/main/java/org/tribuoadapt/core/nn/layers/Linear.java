package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.ForwardContext;

/**
 * A fully connected layer {@code y = x W^T + b}, with PyTorch's layout ({@code weight} is {@code [out, in]}) and
 * default initialisation. It applies to the last dimension, so it also maps token sequences {@code [N, T, in]}.
 */
public final class Linear extends FullyConnected {

    /**
     * Creates a Linear layer.
     * @param manager The network's manager.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hasBias Whether to add a bias.
     */
    public Linear(NDManager manager, int inFeatures, int outFeatures, boolean hasBias) {
        super(manager, inFeatures, outFeatures, hasBias);
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return applyWeight(input, weight().array());
    }

    @Override
    public String describe() {
        return "Linear(" + sizes() + ")";
    }
}
