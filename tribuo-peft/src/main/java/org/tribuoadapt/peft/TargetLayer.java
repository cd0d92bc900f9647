package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.LayerNorm;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.ResidualBlock;

import java.util.Arrays;
import java.util.Map;

/**
 * A uniform view of a layer an adapter can target: a {@link Linear} or a {@link Conv2d}, and, for the methods that
 * tune normalisation layers (BitFit, norm-only tuning), a {@link BatchNorm} or {@link LayerNorm}. Adapter modules read
 * the frozen weight {@code W0} and apply operations with the target's geometry through it, so that one adapter
 * implementation serves several layer kinds, the way PEFT's tuner layers treat {@code nn.Linear} and
 * {@code nn.Conv2d}. A method says which kinds it adapts with {@link AdapterSpec#supports}. Methods that add a
 * module around a whole residual branch of a {@link ResidualBlock} (a Transformer block's {@code attn} or {@code mlp},
 * for bottleneck adapters and prefix tuning) target it as a {@link Kind#RESIDUAL_BRANCH}, and prompt tuning targets the stack of blocks
 * as a {@link Kind#TOKEN_ENCODER}; neither has a weight or bias of its own.
 * <p>
 * Weights keep PyTorch's layouts: {@code [out, in]} for Linear and {@code [out, in, k, k]} for Conv2d. "Rows" are
 * output features (channels), "columns" input features (channels). A normalisation layer's "weight" is its scale
 * {@code gamma} and its "bias" its shift {@code beta}, both {@code [features]}; its input and output widths are the
 * number of features. The matrix helpers ({@link #fanIn}, {@link #flatten}, {@link #applyPointwise}, the broadcast
 * shapes) are for Linear and Conv2d targets.
 */
public final class TargetLayer {

    /** The kinds of layer adapters can target. */
    public enum Kind {
        /** A fully connected layer. */
        LINEAR,
        /** A 2-D convolution. */
        CONV2D,
        /** A BatchNorm layer (scale and shift); it normalises with its running statistics, as the frozen base does. */
        BATCH_NORM,
        /** A LayerNorm layer (scale and shift over the last dimension). */
        LAYER_NORM,
        /**
         * A residual branch of a {@link ResidualBlock}, a map from tokens of the block's width to tokens of the same
         * width; it has no weight or bias, so only methods that never merge adapt it.
         */
        RESIDUAL_BRANCH,
        /**
         * A stack of {@link ResidualBlock}s over a token sequence (a Transformer's {@code blocks}), a map from
         * {@code [N, T, width]} to {@code [N, T, width]} for any {@code T}; it has no weight or bias, so only methods
         * that never merge adapt it.
         */
        TOKEN_ENCODER
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
     * Whether a layer can be targeted by adapters (by some method; each method says which kinds it adapts).
     * @param layer The layer.
     * @return True for Linear, Conv2d, BatchNorm and LayerNorm layers.
     */
    public static boolean isSupported(Layer layer) {
        return layer instanceof Linear || layer instanceof Conv2d || layer instanceof BatchNorm || layer instanceof LayerNorm;
    }

    /**
     * Whether the layer at a path of a network can be targeted by adapters: a layer {@link #isSupported(Layer)}
     * accepts, a residual branch of a {@link ResidualBlock}, or a stack of residual blocks.
     * @param path The layer's dotted path.
     * @param layers The network's layers by path.
     * @return True if some method can adapt it.
     */
    public static boolean isSupported(String path, Map<String, Layer> layers) {
        return isSupported(layers.get(path)) || branchWidth(path, layers) > 0 || encoderWidth(layers.get(path)) > 0;
    }

    /**
     * Views the layer at a path of a network as an adapter target: a residual branch of a {@link ResidualBlock}, a
     * stack of residual blocks (a {@link Kind#TOKEN_ENCODER}), or else as {@link #of(String, Layer)} does.
     * @param path The layer's dotted path.
     * @param layers The network's layers by path.
     * @return The view.
     * @throws IllegalArgumentException if the layer cannot be targeted.
     */
    public static TargetLayer of(String path, Map<String, Layer> layers) {
        Layer layer = layers.get(path);
        int width = branchWidth(path, layers);
        if (width > 0 && !isSupported(layer)) {
            return new TargetLayer(path, layer, Kind.RESIDUAL_BRANCH, null, null, width, width, 1, 1, 0);
        }
        int encoder = encoderWidth(layer);
        if (encoder > 0) {
            return new TargetLayer(path, layer, Kind.TOKEN_ENCODER, null, null, encoder, encoder, 1, 1, 0);
        }
        return of(path, layer);
    }

    /** The token width when every child of the layer is a residual block of one width, otherwise 0. */
    private static int encoderWidth(Layer layer) {
        if (layer == null || layer.children().isEmpty() || !layer.parameters().isEmpty()) {
            return 0;
        }
        int width = 0;
        for (Layer child : layer.children().values()) {
            if (!(child instanceof ResidualBlock) || (width > 0 && ((ResidualBlock) child).width() != width)) {
                return 0;
            }
            width = ((ResidualBlock) child).width();
        }
        return width;
    }

    /** The residual width when the layer at the path is a residual branch of its parent, otherwise 0. */
    private static int branchWidth(String path, Map<String, Layer> layers) {
        int dot = path.lastIndexOf('.');
        Layer parent = layers.get(dot < 0 ? "" : path.substring(0, dot));
        if (parent instanceof ResidualBlock
                && ((ResidualBlock) parent).residualBranches().contains(path.substring(dot + 1))) {
            return ((ResidualBlock) parent).width();
        }
        return 0;
    }

    /**
     * Views a layer as an adapter target.
     * @param path The layer's dotted path in its network.
     * @param layer The layer.
     * @return The view.
     * @throws IllegalArgumentException if the layer is not a Linear, Conv2d, BatchNorm or LayerNorm layer.
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
        if (layer instanceof BatchNorm) {
            BatchNorm norm = (BatchNorm) layer;
            return new TargetLayer(path, layer, Kind.BATCH_NORM, norm.weight(), norm.bias(), norm.numFeatures(),
                    norm.numFeatures(), 1, 1, 0);
        }
        if (layer instanceof LayerNorm) {
            LayerNorm norm = (LayerNorm) layer;
            int features = Math.toIntExact(norm.weight().size());
            return new TargetLayer(path, layer, Kind.LAYER_NORM, norm.weight(), norm.bias(), features, features, 1, 1, 0);
        }
        throw new IllegalArgumentException("layer '" + path + "' is a " + layer.describe()
                + "; adapters target Linear, Conv2d, BatchNorm and LayerNorm layers only");
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

    /** @return True for a BatchNorm or LayerNorm target. */
    public boolean isNorm() {
        return kind == Kind.BATCH_NORM || kind == Kind.LAYER_NORM;
    }

    /** @return The frozen weight {@code W0}; null for a residual branch or a token encoder. */
    public Parameter weight() {
        return weight;
    }

    /** @return The bias, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    /** @return Input features (Linear) or input channels (Conv2d); the token width for a residual branch or encoder. */
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
     * Applies the target's operation with another weight and bias (same geometry: stride, padding). The operation is
     * linear in the weight and bias, so applying a weight change {@code dW} (and {@code db}) gives the change of the
     * output. For a normalisation layer it is {@code kernel * xhat + offset}, where {@code xhat} is the input
     * normalised as the frozen layer normalises it (BatchNorm with its running statistics).
     * @param input The input batch.
     * @param kernel A weight shaped like the target's (or with another number of output rows).
     * @param offset A bias, or null.
     * @return The output.
     */
    public NDArray apply(NDArray input, NDArray kernel, NDArray offset) {
        switch (kind) {
            case LINEAR:
                return linear(input, kernel, offset);
            case CONV2D:
                return Conv2d.convolve(input, kernel, offset, stride, padding);
            default:
                int rank = input.getShape().dimension();
                NDArray scaled = normalise(input).mul(kernel.reshape(featureBroadcast(kernel.size(), rank)));
                return offset == null ? scaled : scaled.add(offset.reshape(featureBroadcast(offset.size(), rank)));
        }
    }

    /**
     * The input of a normalisation target normalised as the frozen layer does it, before its scale and shift:
     * BatchNorm with its running statistics, LayerNorm over the last dimension (biased variance, as PyTorch).
     */
    private NDArray normalise(NDArray input) {
        if (kind == Kind.BATCH_NORM) {
            BatchNorm norm = (BatchNorm) layer;
            Shape channels = featureBroadcast(inFeatures, input.getShape().dimension());
            NDArray scale = norm.runningVar().array().add(norm.eps()).sqrt().reshape(channels);
            return input.sub(norm.runningMean().array().reshape(channels)).div(scale);
        }
        LayerNorm norm = (LayerNorm) layer;
        int last = input.getShape().dimension() - 1;
        NDArray centred = input.sub(input.mean(new int[] {last}, true));
        return centred.div(centred.square().mean(new int[] {last}, true).add(norm.eps()).sqrt());
    }

    /**
     * The shape that broadcasts a per-feature vector over an activation of the given rank: the features are the
     * channel dimension (1) of Conv2d and BatchNorm activations with more than two dimensions, and the last dimension
     * otherwise.
     * @param n The vector length.
     * @param rank The activation's number of dimensions, batch included.
     * @return The broadcast shape.
     */
    public Shape featureBroadcast(long n, int rank) {
        long[] dims = new long[rank];
        Arrays.fill(dims, 1);
        boolean channelsFirst = (kind == Kind.CONV2D || kind == Kind.BATCH_NORM) && rank > 2;
        dims[channelsFirst ? 1 : rank - 1] = n;
        return new Shape(dims);
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
