package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * A parameter-free layer applying an {@link Activation} element-wise.
 */
public final class ActivationLayer extends Layer {

    private final Activation activation;

    /**
     * Creates the layer.
     * @param activation The nonlinearity.
     */
    public ActivationLayer(Activation activation) {
        this.activation = activation;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return activation.apply(input);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return inputShape;
    }

    /** @return The nonlinearity. */
    public Activation activation() {
        return activation;
    }

    @Override
    public String describe() {
        return activation.name();
    }
}
