package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Named layers applied one after the other, as PyTorch's {@code nn.Sequential} with an ordered dict.
 */
public final class Sequential extends Layer {

    /**
     * Appends a layer.
     * @param name Its local name (no dots).
     * @param layer The layer.
     * @return This, for chaining.
     */
    public Sequential add(String name, Layer layer) {
        addChild(name, layer);
        return this;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDArray x = input;
        for (Layer layer : children().values()) {
            x = layer.apply(x, context);
        }
        return x;
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        Shape shape = inputShape;
        for (Layer layer : children().values()) {
            shape = layer.outputShape(shape);
        }
        return shape;
    }

    @Override
    public String describe() {
        return "Sequential" + children().keySet();
    }
}
