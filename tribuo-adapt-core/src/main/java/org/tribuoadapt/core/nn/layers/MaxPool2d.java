package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Max pooling over square windows of {@code [N, C, H, W]} batches, with stride equal to the window (PyTorch's
 * default) and no padding; a partial window at the edge is dropped.
 */
public final class MaxPool2d extends Layer {

    private final int size;

    /**
     * Creates a pooling layer.
     * @param size The window's height and width, also the stride.
     */
    public MaxPool2d(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be positive, found " + size);
        }
        this.size = size;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.getNDArrayInternal().maxPool(new Shape(size, size), new Shape(size, size), new Shape(0, 0), false);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 3 || inputShape.get(1) < size || inputShape.get(2) < size) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects [C, H, W] with H, W >= "
                    + size + " but gets " + inputShape);
        }
        return new Shape(inputShape.get(0), inputShape.get(1) / size, inputShape.get(2) / size);
    }

    /** @return The window's height and width, also the stride. */
    public int size() {
        return size;
    }

    @Override
    public String describe() {
        return "MaxPool2d(" + size + ")";
    }
}
