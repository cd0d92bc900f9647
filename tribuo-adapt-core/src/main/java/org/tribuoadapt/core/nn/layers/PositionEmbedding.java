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
 * Adds a learned position embedding {@code weight [1, T, D]} to a token sequence {@code [N, T, D]}, initialised
 * from {@code N(0, 0.02^2)} as in ViT.
 */
public final class PositionEmbedding extends Layer {

    private final int tokens;
    private final int dim;
    private final Parameter weight;

    /**
     * Creates the embedding.
     * @param manager The network's manager.
     * @param tokens The sequence length.
     * @param dim The model width.
     */
    public PositionEmbedding(NDManager manager, int tokens, int dim) {
        this.tokens = tokens;
        this.dim = dim;
        this.weight = addWeight(manager, "weight", new Shape(1, tokens, dim));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.add(weight.array());
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (!inputShape.equals(new Shape(tokens, dim))) {
            throw new IllegalArgumentException("layer '" + path() + "' expects tokens of shape [" + tokens + ", " + dim
                    + "] but gets " + inputShape);
        }
        return inputShape;
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        weight.assign(Initializers.normal(tokens * dim, 0.02, rng));
    }

    @Override
    public String describe() {
        return "PositionEmbedding(" + tokens + " x " + dim + ")";
    }
}
