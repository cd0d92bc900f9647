package org.tribuoadapt.tta.evaluation;

import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.scenario.StreamBatch;

/**
 * Sees what a {@link TtaEvaluator} replay produces, for callers that need more than the accuracy figures (for
 * example unsupervised model selection, which scores the adapted predictions). Warm-up batches are not observed.
 */
public interface ReplayObserver {

    /** Observes nothing. */
    ReplayObserver NONE = new ReplayObserver() {};

    /**
     * Called after every batch of a replay.
     * @param method The name of the method, as in its {@link TtaEvaluation}.
     * @param batch The batch (its labels were not shown to the method).
     * @param probabilities The method's {@code batch.size() * numClasses} online outputs for the batch.
     */
    default void onBatch(String method, StreamBatch batch, float[] probabilities) {}

    /**
     * Called once a method has replayed the whole stream, before its session is closed; the session is in the
     * state the stream left it in, and anything the observer predicts with it adapts it further.
     * @param method The name of the method, as in its {@link TtaEvaluation}.
     * @param session The method's session.
     */
    default void onReplayEnd(String method, AdaptationSession session) {}
}
