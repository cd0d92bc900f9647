package org.tribuoadapt.core.reproduce;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuoadapt.core.pipeline.EvaluationMetrics;

import java.util.Map;

/**
 * Reproduces a plain Tribuo classification evaluation: reloads its test dataset and recomputes
 * {@link EvaluationMetrics} with {@link LabelEvaluator}.
 */
public final class LabelEvaluationReproducer implements EvaluationReproducer {

    @Override
    public boolean handles(EvaluationProvenance provenance) {
        return provenance.getTestDatasetProvenance() instanceof DatasetProvenance;
    }

    @Override
    public Map<String, Double> recompute(EvaluationProvenance provenance, Model<Label> model,
                                         RecoveredConfiguration configuration) {
        return EvaluationMetrics.of(new LabelEvaluator().evaluate(model,
                configuration.dataset(provenance.getTestDatasetProvenance())));
    }
}
