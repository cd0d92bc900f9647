package org.tribuoadapt.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.pipeline.EvaluationMetrics;

import java.util.Map;
import org.tribuoadapt.core.reproduce.EvaluationReproducer;
import org.tribuoadapt.core.reproduce.RecoveredConfiguration;

/**
 * Reproduces a plain Tribuo classification evaluation: reloads its test dataset and recomputes
 * {@link EvaluationMetrics} with {@link LabelEvaluator}.
 */
public final class LabelEvaluationReproducer implements EvaluationReproducer {

    @Override
    public boolean handles(ObjectProvenance provenance) {
        return provenance instanceof EvaluationProvenance
                && ((EvaluationProvenance) provenance).getTestDatasetProvenance() instanceof DatasetProvenance;
    }

    @Override
    public ModelProvenance modelProvenance(ObjectProvenance provenance) {
        return ((EvaluationProvenance) provenance).getModelProvenance();
    }

    @Override
    public Map<String, Double> recompute(ObjectProvenance provenance, Model<Label> model,
                                         RecoveredConfiguration configuration) {
        return EvaluationMetrics.of(new LabelEvaluator().evaluate(model,
                configuration.dataset(((EvaluationProvenance) provenance).getTestDatasetProvenance())));
    }
}
