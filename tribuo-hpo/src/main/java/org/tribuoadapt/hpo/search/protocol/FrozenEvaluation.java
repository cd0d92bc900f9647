package org.tribuoadapt.hpo.search.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * Phase 2 of the two-phase protocol: trains once with the values phase 1 chose and scores the result on the
 * evaluation split. It is given the values and nothing else, so it can not tune them again.
 */
@FunctionalInterface
public interface FrozenEvaluation {

    /**
     * Trains with the frozen values on the phase-2 training data and scores the model on the phase-2 test data.
     * @param frozen The values phase 1 chose, by {@code component.property} name (unmodifiable).
     * @return The score, in the study's metric, and the trained model's provenance when there is one.
     * @throws Exception If training or scoring fails.
     */
    Score evaluate(Map<String, Object> frozen) throws Exception;

    /**
     * A phase-2 score.
     * @param value The metric on the phase-2 test data.
     * @param modelProvenance The trained model's provenance (OLCUT JSON), or empty.
     */
    record Score(double value, Optional<String> modelProvenance) {
        /**
         * A score without model provenance.
         * @param value The metric.
         * @return The score.
         */
        public static Score of(double value) {
            return new Score(value, Optional.empty());
        }
    }
}
