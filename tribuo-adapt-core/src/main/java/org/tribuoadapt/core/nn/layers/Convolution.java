package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Kernels;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.PortableKernels;

import java.util.SplittableRandom;

/**
 * What every 2-D convolution layer shares: PyTorch's {@code Conv2d} layout over {@code [N, C, H, W]} batches
 * ({@code weight} is {@code [out, in, kh, kw]}, optional {@code bias}), its default initialisation and shape checks.
 * Kernels are square, stride and padding are the same on both axes, dilation is 1 and there is one group. Subclasses
 * decide which kernel they apply.
 */
public abstract class Convolution extends Layer {

    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the shared parameters.
     * @param manager The network's manager.
     * @param inChannels Input channels.
     * @param outChannels Output channels.
     * @param kernelSize The kernel's height and width.
     * @param stride The stride.
     * @param padding Zero padding on each side.
     * @param hasBias Whether to add a bias.
     */
    protected Convolution(NDManager manager, int inChannels, int outChannels, int kernelSize, int stride, int padding,
                          boolean hasBias) {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs positive channels, kernel and stride and a non-negative padding, found in="
                    + inChannels + ", out=" + outChannels + ", kernel=" + kernelSize + ", stride=" + stride + ", padding=" + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.weight = addWeight(manager, "weight", new Shape(outChannels, inChannels, kernelSize, kernelSize));
        this.bias = hasBias ? addWeight(manager, "bias", new Shape(outChannels)) : null;
    }

    /**
     * This layer's convolution with a given kernel and its own bias, stride and padding.
     * @param input The input batch.
     * @param kernel The kernel to apply, {@code [out, in, k, k]}.
     * @return The convolved batch.
     */
    protected final NDArray applyKernel(NDArray input, NDArray kernel) {
        return convolve(input, kernel, bias == null ? null : bias.array(), stride, padding);
    }

    /**
     * The convolution these layers compute, for any weight of the same geometry (adapters use it with their own
     * kernels), on the JVM's {@link Kernels kernel path}.
     * @param input The input batch.
     * @param weight A kernel {@code [out, in, k, k]}.
     * @param bias A bias or null.
     * @param stride The stride.
     * @param padding The padding.
     * @return The convolved batch.
     */
    public static NDArray convolve(NDArray input, NDArray weight, NDArray bias, int stride, int padding) {
        if (Kernels.portable()) {
            return PortableKernels.convolution(input, weight, bias, stride, padding);
        }
        return input.getNDArrayInternal()
                .convolution(input, weight, bias, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    @Override
    public final Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 3 || inputShape.get(0) != inChannels) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects input [" + inChannels
                    + ", H, W] but gets " + inputShape);
        }
        long h = outputSize(inputShape.get(1));
        long w = outputSize(inputShape.get(2));
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") cannot convolve an input of shape "
                    + inputShape + ": the output would be empty");
        }
        return new Shape(outChannels, h, w);
    }

    private long outputSize(long size) {
        return (size + 2L * padding - kernelSize) / stride + 1;
    }

    /**
     * PyTorch's default initialisation: Kaiming-uniform kernel and bias from the fan-in.
     * @param rng The layer's random stream.
     */
    @Override
    protected void resetParameters(SplittableRandom rng) {
        int fanIn = inChannels * kernelSize * kernelSize;
        weight.assign(Initializers.kaimingUniform(Math.toIntExact(weight.size()), fanIn, rng));
        if (bias != null) {
            bias.assign(Initializers.kaimingUniform(outChannels, fanIn, rng));
        }
    }

    /** @return Input channels. */
    public final int inChannels() {
        return inChannels;
    }

    /** @return Output channels. */
    public final int outChannels() {
        return outChannels;
    }

    /** @return The kernel's height and width. */
    public final int kernelSize() {
        return kernelSize;
    }

    /** @return The stride. */
    public final int stride() {
        return stride;
    }

    /** @return The padding. */
    public final int padding() {
        return padding;
    }

    /** @return The raw kernel, {@code [out, in, k, k]}. */
    public final Parameter weight() {
        return weight;
    }

    /** @return The bias, or null. */
    public final Parameter bias() {
        return bias;
    }

    /**
     * The geometry for {@link #describe()}.
     * @return {@code in -> out, kernel k, stride s, padding p}, and whether there is no bias.
     */
    protected final String geometry() {
        return inChannels + " -> " + outChannels + ", kernel " + kernelSize + ", stride " + stride
                + ", padding " + padding + (bias == null ? ", no bias" : "");
    }
}
