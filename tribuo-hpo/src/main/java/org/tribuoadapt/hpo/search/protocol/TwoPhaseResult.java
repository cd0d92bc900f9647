package org.tribuoadapt.hpo.search.protocol;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Trial;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Both phases of a two-phase run (Cha and Cho, arXiv 2403.09066), side by side.
 * <p>
 * The {@link #gap()} is how much worse the frozen values scored in phase 2 than in phase 1, in the direction of the
 * metric: {@code loss(evaluationScore) - loss(tuningScore)}, where {@code loss} is the value when minimising and its
 * negation when maximising ({@link Direction#loss}). For accuracy it is {@code tuningScore - evaluationScore}, for
 * an error rate {@code evaluationScore - tuningScore}; positive means phase 1 was optimistic.
 *
 * @param study The phase-1 study's name.
 * @param direction The metric's direction.
 * @param tuningTrials How many trials phase 1 ran (every state).
 * @param tuningBest Phase 1's best COMPLETE trial: its values, its score on the phase-1 validation data and its
 *     user attributes (for a {@link TwoPhaseProtocol}, the trained model's provenance).
 * @param frozenValues The values phase 2 trained with: {@code tuningBest}'s params.
 * @param evaluation Phase 2's score of the frozen values on its test data, and its model's provenance.
 * @param configuration The protocol's configuration (config file, trainer, the four sources, metric, space), or
 *     empty when the phases were given as code.
 */
public record TwoPhaseResult(String study, Direction direction, int tuningTrials, Trial tuningBest,
                             Map<String, Object> frozenValues, FrozenEvaluation.Score evaluation,
                             Optional<ConfiguredObjectProvenance> configuration) {

    /**
     * Copies the values.
     */
    public TwoPhaseResult {
        frozenValues = Collections.unmodifiableMap(new LinkedHashMap<>(frozenValues));
    }

    /**
     * Phase 1's best score, on the phase-1 validation data.
     * @return The score.
     */
    public double tuningScore() {
        return tuningBest.value();
    }

    /**
     * Phase 2's score of the frozen values, on the phase-2 test data.
     * @return The score.
     */
    public double evaluationScore() {
        return evaluation.value();
    }

    /**
     * How much worse phase 2 scored than phase 1 (see the class documentation).
     * @return {@code loss(evaluationScore) - loss(tuningScore)}.
     */
    public double gap() {
        return direction.loss(evaluationScore()) - direction.loss(tuningScore());
    }
}
