package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.ForwardContext;

import java.util.SplittableRandom;

/**
 * A 2-D convolution with a weight compander (Cakaj, Mehnert and Yang 2023, "Weight Compander: A Simple Weight
 * Reparameterization for Regularization"): its {@code weight} parameter is raw and the kernel it applies is
 * {@code f(weight)}, element-wise, with the {@link WeightCompander} {@code f}; the bias is plain. Like
 * {@link CompandedLinear} it starts as the plain {@link Conv2d} it replaces (raw kernel {@code f^-1} of PyTorch's
 * initialisation), and at inference it is a {@link Conv2d} with the kernel {@link #effectiveWeight()}.
 */
public final class CompandedConv2d extends Convolution {

    private final WeightCompander compander;

    /**
     * Creates a companded convolution.
     * @param manager The network's manager.
     * @param inChannels Input channels.
     * @param outChannels Output channels.
     * @param kernelSize The kernel's height and width.
     * @param stride The stride.
     * @param padding Zero padding on each side.
     * @param hasBias Whether to add a bias.
     * @param compander The compander of the kernel.
     */
    public CompandedConv2d(NDManager manager, int inChannels, int outChannels, int kernelSize, int stride, int padding,
                           boolean hasBias, WeightCompander compander) {
        super(manager, inChannels, outChannels, kernelSize, stride, padding, hasBias);
        this.compander = compander;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return applyKernel(input, compander.apply(weight().array()));
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        super.resetParameters(rng);
        weight().assign(compander.inverse(weight().toFloatArray()));
    }

    /**
     * The kernel the layer applies.
     * @return {@code f(weight)}, {@code [out, in, k, k]} row-major.
     */
    public float[] effectiveWeight() {
        return compander.applied(weight());
    }

    /**
     * The compander of the kernel.
     * @return The compander.
     */
    public WeightCompander compander() {
        return compander;
    }

    @Override
    public String describe() {
        return "CompandedConv2d(" + geometry() + ", " + compander + ")";
    }
}
