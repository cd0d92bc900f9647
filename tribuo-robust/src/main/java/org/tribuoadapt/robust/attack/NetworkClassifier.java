package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;

/**
 * A network seen as a {@link DifferentiableClassifier}: inference mode (BatchNorm on running statistics, no
 * dropout) with every weight frozen, so a backward pass computes input gradients only and leaves the network's
 * parameters without gradients.
 */
public final class NetworkClassifier implements DifferentiableClassifier {

    private final Network network;
    private final FrozenParameters borrowed;

    private NetworkClassifier(Network network, FrozenParameters borrowed) {
        this.network = network;
        this.borrowed = borrowed;
    }

    /**
     * A private, frozen copy of a model's network ({@link NetworkModel#newNetwork()}), freed on close.
     * @param model The model.
     * @return The classifier.
     */
    public static NetworkClassifier of(NetworkModel model) {
        Network network = model.newNetwork();
        network.freezeAll();
        return new NetworkClassifier(network, null);
    }

    /**
     * Borrows a network that is being trained (adversarial training crafts its examples this way): its trainable
     * parameters are frozen until the classifier is closed, so crafting leaves no gradient on them.
     * @param network The network.
     * @return The classifier; closing it makes the same parameters trainable again.
     */
    public static NetworkClassifier borrow(Network network) {
        return new NetworkClassifier(network, new FrozenParameters(network));
    }

    @Override
    public Shape inputShape() {
        return network.inputShape();
    }

    @Override
    public NDArray logits(NDArray inputs) {
        return network.forward(inputs, ForwardContext.inference(inputs.getManager()));
    }

    @Override
    public void close() {
        if (borrowed == null) {
            network.close();
        } else {
            borrowed.close();
        }
    }
}
