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
     * Sets the learning rate of later steps, for an epoch-level {@link LearningRateSchedule}. Optimisers that adapt
     * their own rate (hypergradient descent, for example) cannot follow a schedule and keep this default.
     * @param rate The new rate, positive and finite.
     * @throws UnsupportedOperationException if this optimiser sets its own rate.
     */
    default void setLearningRate(double rate) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " sets its own learning rate, so it "
                + "cannot follow a learning-rate schedule; use SGD or Adam");
    }

    /**
     * Checks a learning rate that a schedule asks for.
     * @param rate The rate.
     * @return The rate.
     * @throws IllegalArgumentException if it is not positive and finite.
     */
    static double checkRate(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("a learning rate must be positive and finite, found " + rate);
        }
        return rate;
    }

    /**
     * Frees the optimiser's state tensors.
     */
    @Override
    void close();
}
