package org.tribuoadapt.core.train;

/**
 * Updates a fixed list of parameters from their accumulated gradients. The training loop calls {@link #step()}
 * with gradient recording disabled, after the backward pass, and clears the gradients afterwards.
 */
public interface NetworkOptimiser extends AutoCloseable {

    /**
     * Applies one update to every parameter, from its current gradient.
     */
    void step();

    /**
     * The learning rate that the next step will use (optimisers that adapt it report the current value).
     * @return The current learning rate.
     */
    double learningRate();

    /**
     * Frees the optimiser's state tensors.
     */
    @Override
    void close();
}
