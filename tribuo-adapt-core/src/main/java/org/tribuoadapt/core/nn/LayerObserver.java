package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * Sees the input and output of every layer during a forward pass. Test-time adaptation, feature extraction and
 * initialisations that need layer inputs (for example CorDA's covariance) use it instead of changing the layers.
 */
@FunctionalInterface
public interface LayerObserver {

    /**
     * Called after {@code layer} has produced {@code output} from {@code input}. The arrays belong to the forward
     * pass's batch memory: an observer that keeps one beyond the pass must copy it.
     * @param layer The layer; {@link Layer#path()} is its dotted name.
     * @param input The layer's input.
     * @param output The layer's output.
     */
    void onForward(Layer layer, NDArray input, NDArray output);
}
