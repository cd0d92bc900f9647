package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;

/**
 * Runs a frozen normalisation layer of the base network (a BatchNorm) in inference mode even during training, so
 * that adapter training neither uses batch statistics nor updates the running statistics: the base network stays
 * exactly as loaded, which is what an adapter file (holding only adapter weights) assumes when it is loaded again.
 * To adapt the statistics of a BatchNorm layer, list it in {@code modulesToSave}: its trainable copy runs in training
 * mode.
 */
public final class FrozenStatistics extends LayerWrapper {

    /** The child name of the wrapped layer. */
    public static final String BASE = AdaptedLayer.BASE;

    private final Layer layer;

    private FrozenStatistics(Layer layer) {
        this.layer = layer;
    }

    /**
     * Wraps a layer of a network in place: the wrapper takes the layer's path and the layer becomes its child
     * {@value #BASE}.
     * @param network The network.
     * @param path The layer's path.
     */
    static void install(Network network, String path) {
        install(network, path, new FrozenStatistics(network.layer(path)), BASE);
    }

    /** @return The wrapped layer. */
    public Layer layer() {
        return layer;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return layer.apply(input, context.isTraining() ? ForwardContext.inference(context.manager()) : context);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return layer.outputShape(inputShape);
    }

    @Override
    public String describe() {
        return "FrozenStatistics(" + layer.describe() + ")";
    }
}
