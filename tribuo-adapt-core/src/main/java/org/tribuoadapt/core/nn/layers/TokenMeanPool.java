package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Averages a token sequence {@code [N, T, D]} over its tokens, giving {@code [N, D]}.
 */
public final class TokenMeanPool extends Layer {

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.mean(new int[] {1});
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 2) {
            throw new IllegalArgumentException("layer '" + path() + "' expects tokens [T, D] but gets " + inputShape);
        }
        return new Shape(inputShape.get(1));
    }
}
