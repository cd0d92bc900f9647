package org.tribuoadapt.robust.evaluation;

import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The robustness of a model on a test set, in the shape of a Tribuo evaluation: a map of metrics (clean accuracy
 * under {@link #CLEAN_ACCURACY}, and the robust accuracy of each attack and budget under
 * {@code accuracy@<attack>@<epsilon>}), the clean predictions, and provenance naming the model, the data and every
 * attack setting.
 */
public final class RobustnessEvaluation implements Provenancable<RobustnessEvaluationProvenance> {

    /** The metric name of the clean accuracy. */
    public static final String CLEAN_ACCURACY = "accuracy";

    private final double cleanAccuracy;
    private final List<AttackOutcome> outcomes;
    private final List<Prediction<Label>> predictions;
    private final RobustnessEvaluationProvenance provenance;

    /**
     * Creates an evaluation; {@link RobustnessEvaluator} calls this.
     * @param cleanAccuracy The clean accuracy.
     * @param outcomes The result of each attack and budget.
     * @param predictions The clean predictions.
     * @param provenance The provenance.
     */
    RobustnessEvaluation(double cleanAccuracy, List<AttackOutcome> outcomes, List<Prediction<Label>> predictions,
                         RobustnessEvaluationProvenance provenance) {
        this.cleanAccuracy = cleanAccuracy;
        this.outcomes = List.copyOf(outcomes);
        this.predictions = Collections.unmodifiableList(predictions);
        this.provenance = provenance;
    }

    /**
     * The accuracy on clean inputs.
     * @return The clean accuracy.
     */
    public double cleanAccuracy() {
        return cleanAccuracy;
    }

    /**
     * The result of every attack and budget, in the evaluator's order.
     * @return The outcomes.
     */
    public List<AttackOutcome> outcomes() {
        return outcomes;
    }

    /**
     * The robust accuracy under one attack and budget.
     * @param attack The attack's name.
     * @param epsilon The budget.
     * @return The robust accuracy.
     * @throws IllegalArgumentException listing the evaluated attacks, if this one was not evaluated.
     */
    public double robustAccuracy(String attack, double epsilon) {
        for (AttackOutcome o : outcomes) {
            if (o.attack().equals(attack) && o.epsilon() == epsilon) {
                return o.accuracy();
            }
        }
        throw new IllegalArgumentException("no result for attack '" + attack + "' at epsilon " + epsilon
                + "; evaluated: " + outcomes.stream().map(AttackOutcome::key).toList());
    }

    /**
     * Every metric by Tribuo metric id: clean accuracy and {@code accuracy@<attack>@<epsilon>}.
     * @return An ordered map.
     */
    public Map<MetricID<Label>, Double> asMap() {
        Map<MetricID<Label>, Double> out = new LinkedHashMap<>();
        reproducibleMetrics().forEach((name, value) ->
                out.put(new MetricID<Label>(MetricTarget.<Label>microAverageTarget(), name), value));
        return out;
    }

    /**
     * The figures that depend only on the model, the data and the evaluator's configuration (not on timing), as a
     * run records them next to this evaluation's provenance so that {@code reproduce} can compare them: clean
     * accuracy under {@link #CLEAN_ACCURACY} and the robust accuracy of each attack and budget under
     * {@code accuracy@<attack>@<epsilon>}, and for a staged attack (AutoAttack) the robust accuracy after each of its
     * attacks under {@code accuracy@<attack>@<epsilon>@after:<stage attack>}. They are deterministic for the same evaluator seed and thread count.
     * @return Metric name to value, in the evaluator's order.
     */
    public Map<String, Double> reproducibleMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(CLEAN_ACCURACY, cleanAccuracy);
        for (AttackOutcome o : outcomes) {
            out.put(CLEAN_ACCURACY + "@" + o.key(), o.accuracy());
            for (AttackOutcome.StageOutcome stage : o.stages()) {
                out.put(CLEAN_ACCURACY + "@" + o.key() + "@after:" + stage.attack(), stage.accuracy());
            }
        }
        return out;
    }

    /**
     * The clean predictions.
     * @return The predictions, in data order.
     */
    public List<Prediction<Label>> getPredictions() {
        return predictions;
    }

    @Override
    public RobustnessEvaluationProvenance getProvenance() {
        return provenance;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("RobustnessEvaluation(clean=").append(cleanAccuracy);
        for (AttackOutcome o : outcomes) {
            b.append(",").append(o.key()).append("=").append(o.accuracy());
        }
        return b.append(")").toString();
    }
}
