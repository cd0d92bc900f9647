package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Flattens each example to a vector in row-major order ({@code [N, C, H, W] -> [N, C*H*W]}), as PyTorch's
 * {@code nn.Flatten}.
 */
public final class Flatten extends Layer {

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.reshape(input.getShape().get(0), -1);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return new Shape(inputShape.size());
    }
}
