package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.ForwardContext;

/**
 * A 2-D convolution over {@code [N, C, H, W]} batches with PyTorch's layout ({@code weight} is
 * {@code [out, in, kh, kw]}) and default initialisation. Kernels are square, stride and padding are the same on both
 * axes, dilation is 1 and there is one group.
 */
public final class Conv2d extends Convolution {

    /**
     * Creates a convolution.
     * @param manager The network's manager.
     * @param inChannels Input channels.
     * @param outChannels Output channels.
     * @param kernelSize The kernel's height and width.
     * @param stride The stride.
     * @param padding Zero padding on each side.
     * @param hasBias Whether to add a bias.
     */
    public Conv2d(NDManager manager, int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean hasBias) {
        super(manager, inChannels, outChannels, kernelSize, stride, padding, hasBias);
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return applyKernel(input, weight().array());
    }

    @Override
    public String describe() {
        return "Conv2d(" + geometry() + ")";
    }
}
