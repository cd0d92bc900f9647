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
 * Layer normalisation over the last dimension (Ba et al. 2016), with PyTorch's parameters {@code weight} and
 * {@code bias} and epsilon 1e-5.
 */
public final class LayerNorm extends Layer {

    private final int dim;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates a LayerNorm over a last dimension of size {@code dim}.
     * @param manager The network's manager.
     * @param dim The normalised width.
     */
    public LayerNorm(NDManager manager, int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("LayerNorm needs a positive width, found " + dim);
        }
        this.dim = dim;
        this.eps = 1e-5;
        this.weight = addWeight(manager, "weight", new Shape(dim));
        this.bias = addWeight(manager, "bias", new Shape(dim));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.getNDArrayInternal()
                .layerNorm(input, new Shape(dim), weight.array(), bias.array(), (float) eps)
                .singletonOrThrow();
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() == 0 || inputShape.get(inputShape.dimension() - 1) != dim) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects a last dimension of "
                    + dim + " but gets " + inputShape);
        }
        return inputShape;
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        weight.assign(Initializers.constant(dim, 1f));
        bias.assign(Initializers.constant(dim, 0f));
    }

    /** @return The scale. */
    public Parameter weight() {
        return weight;
    }

    /** @return The shift. */
    public Parameter bias() {
        return bias;
    }

    /** @return The epsilon added to the variance. */
    public double eps() {
        return eps;
    }

    @Override
    public String describe() {
        return "LayerNorm(" + dim + ")";
    }
}
