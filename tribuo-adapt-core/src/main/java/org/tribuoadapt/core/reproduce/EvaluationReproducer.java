package org.tribuoadapt.core.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;

import java.util.Map;

/**
 * Recomputes the recorded metrics of one kind of evaluation from its provenance, with a reproduced model.
 * {@link Reproducer} asks every implementation found by {@link java.util.ServiceLoader} (modules register theirs in
 * {@code META-INF/services/org.tribuoadapt.core.reproduce.EvaluationReproducer}); Tribuo's own classification
 * evaluations are handled by {@link LabelEvaluationReproducer}. A step that reports an evaluation records its
 * provenance under a name and its metrics as the section result of the same name, keyed as {@link #recompute}
 * returns them.
 */
public interface EvaluationReproducer {

    /**
     * Whether this reproducer understands the provenance of an evaluation.
     * @param provenance A provenance entry of a report.
     * @return True if {@link #recompute} can handle it.
     */
    boolean handles(ObjectProvenance provenance);

    /**
     * The provenance of the model the evaluation measured.
     * @param provenance The evaluation's provenance.
     * @return The model's provenance.
     */
    ModelProvenance modelProvenance(ObjectProvenance provenance);

    /**
     * Runs the evaluation again.
     * @param provenance The evaluation's provenance.
     * @param model The reproduced model it evaluated.
     * @param configuration The configuration recorded in the evaluation's provenance, to rebuild its data and
     *                      components.
     * @return The metrics.
     */
    Map<String, Double> recompute(ObjectProvenance provenance, Model<Label> model, RecoveredConfiguration configuration);
}
