package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;

import java.util.List;

/**
 * A network-backed classifier as an attack sees it: inference mode (BatchNorm on running statistics, no dropout)
 * with every weight frozen, so a backward pass computes input gradients only and leaves the parameters without
 * gradients.
 */
public final class NetworkClassifier implements LogitNetwork {

    private final LogitNetwork computation;
    private final FrozenParameters borrowed;

    private NetworkClassifier(LogitNetwork computation, FrozenParameters borrowed) {
        this.computation = computation;
        this.borrowed = borrowed;
    }

    /**
     * A private, frozen copy of a model's computation ({@link AbstractNetworkModel#newLogitNetwork()}): a plain
     * network, a network with unmerged adapters, or a mixture. Freed on close.
     * @param model The model.
     * @return The classifier.
     */
    public static NetworkClassifier of(AbstractNetworkModel model) {
        LogitNetwork computation = model.newLogitNetwork();
        computation.networks().forEach(Network::freezeAll);
        return new NetworkClassifier(computation, null);
    }

    /**
     * Borrows a network that is being trained (adversarial training crafts its examples this way): its trainable
     * parameters are frozen until the classifier is closed, so crafting leaves no gradient on them.
     * @param network The network.
     * @return The classifier; closing it makes the same parameters trainable again and leaves the network open.
     */
    public static NetworkClassifier borrow(Network network) {
        return new NetworkClassifier(LogitNetwork.of(network), new FrozenParameters(network));
    }

    @Override
    public Shape inputShape() {
        return computation.inputShape();
    }

    @Override
    public NDArray logits(NDArray inputs, ForwardContext context) {
        return computation.logits(inputs, context);
    }

    @Override
    public List<Network> networks() {
        return computation.networks();
    }

    @Override
    public void close() {
        if (borrowed == null) {
            computation.close();
        } else {
            borrowed.close();
        }
    }
}
