package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.Linear;

/**
 * A uniform view of a layer an adapter can target: a {@link Linear} or a {@link Conv2d}. Adapter modules read the
 * frozen weight {@code W0} and apply operations with the target's geometry through it, so that one adapter
 * implementation serves both layer kinds, the way PEFT's tuner layers treat {@code nn.Linear} and {@code nn.Conv2d}.
 * <p>
 * Weights keep PyTorch's layouts: {@code [out, in]} for Linear and {@code [out, in, k, k]} for Conv2d. "Rows" are
 * output features (channels), "columns" input features (channels).
 */
public final class TargetLayer {

    /** The kinds of layer adapters can target. */
    public enum Kind {
        /** A fully connected layer. */
        LINEAR,
        /** A 2-D convolution. */
        CONV2D
    }

    private final String path;
    private final Layer layer;
    private final Kind kind;
    private final Parameter weight;
    private final Parameter bias;
    private final int inFeatures;
    private final int outFeatures;
    private final int kernelSize;
    private final int stride;
    private final int padding;

    private TargetLayer(String path, Layer layer, Kind kind, Parameter weight, Parameter bias, int inFeatures,
                        int outFeatures, int kernelSize, int stride, int padding) {
        this.path = path;
        this.layer = layer;
        this.kind = kind;
        this.weight = weight;
        this.bias = bias;
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
    }

    /**
     * Whether a layer can be targeted by adapters.
     * @param layer The layer.
     * @return True for Linear and Conv2d layers.
     */
    public static boolean isSupported(Layer layer) {
        return layer instanceof Linear || layer instanceof Conv2d;
    }

    /**
     * Views a layer as an adapter target.
     * @param path The layer's dotted path in its network.
     * @param layer The layer.
     * @return The view.
     * @throws IllegalArgumentException if the layer is neither Linear nor Conv2d.
     */
    public static TargetLayer of(String path, Layer layer) {
        if (layer instanceof Linear) {
            Linear linear = (Linear) layer;
            return new TargetLayer(path, layer, Kind.LINEAR, linear.weight(), linear.bias(), linear.inFeatures(),
                    linear.outFeatures(), 1, 1, 0);
        }
        if (layer instanceof Conv2d) {
            Conv2d conv = (Conv2d) layer;
            return new TargetLayer(path, layer, Kind.CONV2D, conv.weight(), conv.bias(), conv.inChannels(),
                    conv.outChannels(), conv.kernelSize(), conv.stride(), conv.padding());
        }
        throw new IllegalArgumentException("layer '" + path + "' is a " + layer.describe()
                + "; adapters target Linear and Conv2d layers only");
    }

    /** @return The dotted path of the target in its network. */
    public String path() {
        return path;
    }

    /** @return The targeted layer. */
    public Layer layer() {
        return layer;
    }

    /** @return Whether it is a Linear or a Conv2d layer. */
    public Kind kind() {
        return kind;
    }

    /** @return True for a Conv2d target. */
    public boolean isConv() {
        return kind == Kind.CONV2D;
    }

    /** @return The frozen weight {@code W0}. */
    public Parameter weight() {
        return weight;
    }

    /** @return The bias, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    /** @return Input features (Linear) or input channels (Conv2d). */
    public int inFeatures() {
        return inFeatures;
    }

    /** @return Output features (Linear) or output channels (Conv2d). */
    public int outFeatures() {
        return outFeatures;
    }

    /** @return The kernel size; 1 for Linear. */
    public int kernelSize() {
        return kernelSize;
    }

    /** @return The stride; 1 for Linear. */
    public int stride() {
        return stride;
    }

    /** @return The padding; 0 for Linear. */
    public int padding() {
        return padding;
    }

    /**
     * The number of inputs one output value depends on: {@code in} for Linear, {@code in * k * k} for Conv2d. This is
     * the fan-in of PyTorch's default initialisation and the width of {@link #flatten flattened} weights.
     * @return The fan-in.
     */
    public int fanIn() {
        return inFeatures * kernelSize * kernelSize;
    }

    /** @return The shape of the weight. */
    public Shape weightShape() {
        return weight.shape();
    }

    /**
     * Applies the target's operation with another weight and bias (same geometry: stride, padding).
     * @param input The input batch.
     * @param kernel A weight shaped like the target's (or with another number of output rows).
     * @param offset A bias, or null.
     * @return The output.
     */
    public NDArray apply(NDArray input, NDArray kernel, NDArray offset) {
        if (kind == Kind.LINEAR) {
            return linear(input, kernel, offset);
        }
        return Conv2d.convolve(input, kernel, offset, stride, padding);
    }

    /**
     * Applies a pointwise map: a Linear map for Linear targets, a 1x1 convolution with stride 1 for Conv2d targets (the
     * second factor of LoRA on convolutions).
     * @param input The input.
     * @param kernel {@code [out, in]} for Linear, {@code [out, in, 1, 1]} for Conv2d.
     * @return The output.
     */
    public NDArray applyPointwise(NDArray input, NDArray kernel) {
        if (kind == Kind.LINEAR) {
            return linear(input, kernel, null);
        }
        return Conv2d.convolve(input, kernel, null, 1, 0);
    }

    /**
     * {@code x W^T + b} over the last dimension.
     * @param input The input.
     * @param kernel The weight {@code [out, in]}.
     * @param offset The bias or null.
     * @return The output.
     */
    public static NDArray linear(NDArray input, NDArray kernel, NDArray offset) {
        return input.getNDArrayInternal().linear(input, kernel, offset).singletonOrThrow();
    }

    /**
     * The shape that broadcasts a per-feature vector over this layer's outputs or inputs: {@code [n]} for Linear (the
     * last dimension), {@code [1, n, 1, 1]} for Conv2d (the channel dimension).
     * @param n The vector length.
     * @return The broadcast shape.
     */
    public Shape outputBroadcast(long n) {
        return kind == Kind.LINEAR ? new Shape(n) : new Shape(1, n, 1, 1);
    }

    /**
     * The shape that broadcasts a per-output-feature vector over the weight's rows: {@code [n, 1]} or
     * {@code [n, 1, 1, 1]}.
     * @param n The vector length.
     * @return The broadcast shape.
     */
    public Shape rowBroadcast(long n) {
        return kind == Kind.LINEAR ? new Shape(n, 1) : new Shape(n, 1, 1, 1);
    }

    /**
     * The shape that broadcasts a per-input-feature vector over the weight's columns (input channels):
     * {@code [1, n]} or {@code [1, n, 1, 1]}.
     * @param n The vector length.
     * @return The broadcast shape.
     */
    public Shape columnBroadcast(long n) {
        return kind == Kind.LINEAR ? new Shape(1, n) : new Shape(1, n, 1, 1);
    }

    /**
     * Reshapes a weight-shaped tensor to a matrix {@code [out, fanIn]}.
     * @param tensor A tensor with the weight's shape.
     * @return The matrix view.
     */
    public NDArray flatten(NDArray tensor) {
        return tensor.reshape(outFeatures, fanIn());
    }

    /**
     * Reshapes a matrix {@code [out, fanIn]} back to the weight's shape.
     * @param matrix The matrix.
     * @return The weight-shaped tensor.
     */
    public NDArray unflatten(NDArray matrix) {
        return matrix.reshape(weightShape());
    }

    @Override
    public String toString() {
        return path + ": " + layer.describe();
    }
}
