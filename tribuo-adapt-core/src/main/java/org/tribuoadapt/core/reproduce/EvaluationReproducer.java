package org.tribuoadapt.core.reproduce;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.provenance.EvaluationProvenance;

import java.util.Map;

/**
 * Recomputes the recorded metrics of one kind of evaluation from its provenance, with a reproduced model.
 * {@link Reproducer} asks every implementation found by {@link java.util.ServiceLoader} (modules register theirs in
 * {@code META-INF/services/org.tribuoadapt.core.reproduce.EvaluationReproducer}) and falls back to Tribuo's
 * {@code LabelEvaluator} on a rebuilt test dataset.
 */
public interface EvaluationReproducer {

    /**
     * Whether this reproducer understands the evaluation.
     * @param provenance The evaluation's provenance.
     * @return True if {@link #recompute} can handle it.
     */
    boolean handles(EvaluationProvenance provenance);

    /**
     * Runs the evaluation again.
     * @param provenance The evaluation's provenance.
     * @param model The reproduced model it evaluated.
     * @param configuration The configuration recorded in the evaluation's provenance, to rebuild its data and
     *                      components.
     * @return The metrics, keyed as the step that ran the evaluation recorded them.
     */
    Map<String, Double> recompute(EvaluationProvenance provenance, Model<Label> model, RecoveredConfiguration configuration);
}
