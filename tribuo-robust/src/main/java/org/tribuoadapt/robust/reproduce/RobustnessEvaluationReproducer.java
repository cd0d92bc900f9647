package org.tribuoadapt.robust.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.reproduce.EvaluationReproducer;
import org.tribuoadapt.core.reproduce.RecoveredConfiguration;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluationProvenance;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;

import java.util.Map;

/**
 * Runs a recorded robustness evaluation again: the {@link RobustnessEvaluator} (its attacks, budgets, seed and test
 * subset) is rebuilt from the configuration in the evaluation's provenance, the test data from its data provenance,
 * and the reproduced model is attacked again (Madry et al. 2018, Croce and Hein 2020, Andriushchenko et al. 2020,
 * whichever attacks were configured). The attacks' random starts come from the evaluator's seed, so the recomputed
 * {@link RobustnessEvaluation#reproducibleMetrics()} (clean accuracy and the accuracy under each attack and budget)
 * equal the recorded ones for the same model and thread count; timings and perturbation norms are not compared.
 */
public final class RobustnessEvaluationReproducer implements EvaluationReproducer {

    @Override
    public boolean handles(ObjectProvenance provenance) {
        return provenance instanceof RobustnessEvaluationProvenance;
    }

    @Override
    public ModelProvenance modelProvenance(ObjectProvenance provenance) {
        return ((RobustnessEvaluationProvenance) provenance).getModelProvenance();
    }

    @Override
    public Map<String, Double> recompute(ObjectProvenance provenance, Model<Label> model,
                                         RecoveredConfiguration configuration) {
        RobustnessEvaluationProvenance evaluation = (RobustnessEvaluationProvenance) provenance;
        RobustnessEvaluator evaluator = configuration.lookup(evaluation.getEvaluatorProvenance(), RobustnessEvaluator.class);
        return evaluator.evaluate(model, configuration.dataset(evaluation.getTestDatasetProvenance())).reproducibleMetrics();
    }
}
