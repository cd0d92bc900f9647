package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;

import java.util.SplittableRandom;

/**
 * A fully connected layer {@code y = x W^T + b}, with PyTorch's layout ({@code weight} is {@code [out, in]}) and
 * default initialisation. It applies to the last dimension, so it also maps token sequences {@code [N, T, in]}.
 */
public final class Linear extends Layer {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates a Linear layer.
     * @param manager The network's manager.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hasBias Whether to add a bias.
     */
    public Linear(NDManager manager, int inFeatures, int outFeatures, boolean hasBias) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear needs positive sizes, found in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = addWeight(manager, "weight", new Shape(outFeatures, inFeatures));
        this.bias = hasBias ? addWeight(manager, "bias", new Shape(outFeatures)) : null;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.getNDArrayInternal()
                .linear(input, weight.array(), bias == null ? null : bias.array())
                .singletonOrThrow();
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() == 0 || inputShape.get(inputShape.dimension() - 1) != inFeatures) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects a last dimension of "
                    + inFeatures + " but gets input of shape " + inputShape);
        }
        long[] dims = inputShape.getShape().clone();
        dims[dims.length - 1] = outFeatures;
        return new Shape(dims);
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        weight.assign(Initializers.kaimingUniform(inFeatures * outFeatures, inFeatures, rng));
        if (bias != null) {
            bias.assign(Initializers.kaimingUniform(outFeatures, inFeatures, rng));
        }
    }

    /**
     * The input width.
     * @return The number of input features.
     */
    public int inFeatures() {
        return inFeatures;
    }

    /**
     * The output width.
     * @return The number of output features.
     */
    public int outFeatures() {
        return outFeatures;
    }

    /**
     * The weight, {@code [out, in]}.
     * @return The weight.
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The bias, or null when the layer has none.
     * @return The bias.
     */
    public Parameter bias() {
        return bias;
    }

    @Override
    public String describe() {
        return "Linear(" + inFeatures + " -> " + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }
}
