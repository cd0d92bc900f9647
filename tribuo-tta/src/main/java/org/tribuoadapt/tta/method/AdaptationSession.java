package org.tribuoadapt.tta.method;

/**
 * One run of a {@link TestTimeMethod} over a test stream. Sessions are used from one thread and hold native
 * memory until closed.
 */
public interface AdaptationSession extends AutoCloseable {

    /**
     * Predicts a batch, adapting on it as the method prescribes (the prediction is the one the method makes
     * online: for Tent, EATA and SAR the outputs of the forward pass that also drives the update, as in their
     * papers).
     * @param features {@code n * width} input values, example after example, in the model's feature-id order.
     * @param n The number of examples, at least 1.
     * @return {@code n * numClasses} class probabilities (scores for models without probabilities), in the model's
     * label-id order.
     */
    float[] predict(float[] features, int n);

    /**
     * Returns to the source model's state (weights, statistics, memories), as at the start of the session.
     */
    void reset();

    /**
     * Frees the session's native memory.
     */
    @Override
    void close();
}
