package org.tribuoadapt.pipeline;

import org.tribuo.classification.evaluation.LabelEvaluation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classification metrics a run records for every evaluation it reports, keyed the same way in the report and
 * in reproduction. A step that evaluates a model records its provenance as {@code <name>} and these metrics as
 * the section result {@code <name>}, so that {@code reproduce} can recompute and compare them.
 */
public final class EvaluationMetrics {

    /** Accuracy. */
    public static final String ACCURACY = "accuracy";
    /** Macro-averaged F1. */
    public static final String MACRO_F1 = "macroF1";
    /** Balanced error rate. */
    public static final String BALANCED_ERROR_RATE = "balancedErrorRate";

    private EvaluationMetrics() {}

    /**
     * The recorded metrics of an evaluation.
     * @param evaluation The evaluation.
     * @return Metric name to value, in a fixed order.
     */
    public static Map<String, Double> of(LabelEvaluation evaluation) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(ACCURACY, evaluation.accuracy());
        metrics.put(MACRO_F1, evaluation.macroAveragedF1());
        metrics.put(BALANCED_ERROR_RATE, evaluation.balancedErrorRate());
        return metrics;
    }
}
