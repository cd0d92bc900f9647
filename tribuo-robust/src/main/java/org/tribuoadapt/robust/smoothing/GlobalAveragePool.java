package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Averages each channel of {@code [N, C, H, W]} feature maps over space, giving {@code [N, C]} (PyTorch's
 * {@code AdaptiveAvgPool2d(1)} followed by a flatten), as the mixing network of Bai et al. (2024) pools its
 * convolutional features.
 */
public final class GlobalAveragePool extends Layer {

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        Shape shape = input.getShape();
        return input.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2});
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 3) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects [C, H, W] but gets "
                    + inputShape);
        }
        return new Shape(inputShape.get(0));
    }

    @Override
    public String describe() {
        return "GlobalAveragePool";
    }
}
