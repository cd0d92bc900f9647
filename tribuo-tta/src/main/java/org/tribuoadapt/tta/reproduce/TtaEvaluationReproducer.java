package org.tribuoadapt.tta.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.reproduce.EvaluationReproducer;
import org.tribuoadapt.core.reproduce.RecoveredConfiguration;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.evaluation.TtaStreamProvenance;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.ShiftScenario;

import java.util.Map;

/**
 * Replays a recorded test-time adaptation evaluation: the scenario and the method are rebuilt from their
 * configuration in the stream's provenance, the clean test data and the source samples from their data provenance,
 * and the stream is replayed through the reproduced model. Accuracies are deterministic for the same seed and
 * thread count; timings are not compared.
 */
public final class TtaEvaluationReproducer implements EvaluationReproducer {

    @Override
    public boolean handles(ObjectProvenance provenance) {
        return provenance instanceof EvaluationProvenance
                && ((EvaluationProvenance) provenance).getTestDatasetProvenance() instanceof TtaStreamProvenance;
    }

    @Override
    public ModelProvenance modelProvenance(ObjectProvenance provenance) {
        return ((EvaluationProvenance) provenance).getModelProvenance();
    }

    @Override
    public Map<String, Double> recompute(ObjectProvenance provenance, Model<Label> model,
                                         RecoveredConfiguration configuration) {
        TtaStreamProvenance stream = (TtaStreamProvenance) ((EvaluationProvenance) provenance).getTestDatasetProvenance();
        ShiftScenario scenario = configuration.lookup(stream.scenario(), ShiftScenario.class);
        TestTimeMethod method = configuration.lookup(stream.method(), TestTimeMethod.class);
        Dataset<Label> test = scenario instanceof CorruptionScenario ? configuration.dataset(stream.sources().get(0)) : null;
        Dataset<Label> source = stream.sourceData().map(configuration::dataset).orElse(null);
        TtaEvaluation evaluation = new TtaEvaluator(scenario, stream.warmupBatches(), stream.sourceSamples())
                .evaluate(model, test, source, method);
        return evaluation.reproducibleMetrics();
    }
}
