package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Turns a feature map {@code [N, D, h, w]} (the output of a patch-embedding convolution) into a token sequence
 * {@code [N, h*w, D]}, patches in row-major order, as in ViT (Dosovitskiy et al. 2021).
 */
public final class PatchTokens extends Layer {

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        Shape s = input.getShape();
        return input.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 3) {
            throw new IllegalArgumentException("layer '" + path() + "' expects a [D, h, w] feature map but gets " + inputShape);
        }
        return new Shape(inputShape.get(1) * inputShape.get(2), inputShape.get(0));
    }
}
