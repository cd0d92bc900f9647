package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

import java.util.ArrayList;
import java.util.List;

/**
 * A copy of every parameter and buffer of a network, kept in native memory, that can be written back in place.
 * Early stopping keeps the best epoch's weights this way, and episodic test-time adaptation resets to the source
 * weights with it.
 */
public final class NetworkSnapshot implements AutoCloseable {

    private final NDManager manager;
    private final List<Parameter> parameters;
    private final List<NDArray> copies;

    /**
     * Copies the current values of every parameter of {@code network}.
     * @param network The network.
     */
    public NetworkSnapshot(Network network) {
        this.manager = network.manager().newSubManager();
        this.parameters = new ArrayList<>(network.parameters().values());
        this.copies = new ArrayList<>(parameters.size());
        try (GradientMode ignored = GradientMode.disabled()) {
            for (Parameter p : parameters) {
                NDArray copy = p.array().duplicate();
                copy.attach(manager);
                NDScope.unregister(copy);
                copies.add(copy);
            }
        }
    }

    /**
     * Writes the saved values back into the same parameters.
     */
    public void restore() {
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).copyFrom(copies.get(i));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
