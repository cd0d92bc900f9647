package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a forward pass needs besides its input: whether the network is training (dropout on, BatchNorm on batch
 * statistics), the batch's native memory, and the observers that see each layer's activations.
 */
public final class ForwardContext {

    private final boolean training;
    private final NDManager manager;
    private final List<LayerObserver> observers;

    private ForwardContext(boolean training, NDManager manager, List<LayerObserver> observers) {
        this.training = training;
        this.manager = manager;
        this.observers = observers;
    }

    /**
     * A context for training: dropout is active and BatchNorm normalises with, and updates, batch statistics.
     * @param manager The batch's memory.
     * @return The context.
     */
    public static ForwardContext training(NDManager manager) {
        return new ForwardContext(true, manager, Collections.emptyList());
    }

    /**
     * A context for inference: no dropout, BatchNorm uses its running statistics.
     * @param manager The batch's memory.
     * @return The context.
     */
    public static ForwardContext inference(NDManager manager) {
        return new ForwardContext(false, manager, Collections.emptyList());
    }

    /**
     * Returns a copy of this context that also notifies {@code observer}.
     * @param observer The observer to add.
     * @return A new context.
     */
    public ForwardContext withObserver(LayerObserver observer) {
        List<LayerObserver> all = new ArrayList<>(observers);
        all.add(observer);
        return new ForwardContext(training, manager, Collections.unmodifiableList(all));
    }

    /**
     * Whether this pass is a training pass.
     * @return True when training.
     */
    public boolean isTraining() {
        return training;
    }

    /**
     * The manager that owns this batch's temporary tensors.
     * @return The batch manager.
     */
    public NDManager manager() {
        return manager;
    }

    void notifyObservers(Layer layer, NDArray input, NDArray output) {
        for (LayerObserver observer : observers) {
            observer.onForward(layer, input, output);
        }
    }
}
