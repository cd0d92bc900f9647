package org.tribuoadapt.robust.attack;

import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

/**
 * Freezes a network's trainable parameters while an attack differentiates through it, so the backward passes
 * compute input gradients only and leave no gradient on the parameters; closing makes the same parameters
 * trainable again.
 */
public final class FrozenParameters implements AutoCloseable {

    private final List<Parameter> frozen;

    /**
     * Freezes every trainable parameter of a network.
     * @param network The network.
     */
    public FrozenParameters(Network network) {
        this.frozen = network.trainableParameters();
        for (Parameter p : frozen) {
            p.setTrainable(false);
        }
    }

    @Override
    public void close() {
        for (Parameter p : frozen) {
            p.setTrainable(true);
        }
    }
}
