package org.tribuoadapt.robust.evaluation;

import java.util.List;

/**
 * Adaptive smoothing's accuracy-robustness trade-off (Bai et al. 2024, figure 2): the evaluation of a fixed-alpha
 * mixture at each alpha, from the standard model alone (alpha 0) to the robust model alone (alpha 1).
 */
public final class AlphaCurve {

    private final double[] alphas;
    private final List<RobustnessEvaluation> evaluations;

    /**
     * Creates a curve.
     * @param alphas The alphas, in order.
     * @param evaluations The evaluation at each alpha.
     */
    AlphaCurve(double[] alphas, List<RobustnessEvaluation> evaluations) {
        this.alphas = alphas.clone();
        this.evaluations = List.copyOf(evaluations);
    }

    /**
     * The alphas.
     * @return A copy.
     */
    public double[] alphas() {
        return alphas.clone();
    }

    /**
     * The evaluation at each alpha.
     * @return The evaluations, in alpha order.
     */
    public List<RobustnessEvaluation> evaluations() {
        return evaluations;
    }

    /**
     * Clean accuracy at each alpha.
     * @return The accuracies.
     */
    public double[] cleanAccuracy() {
        return evaluations.stream().mapToDouble(RobustnessEvaluation::cleanAccuracy).toArray();
    }

    /**
     * Robust accuracy at each alpha under the {@code index}-th attack and budget of the evaluator.
     * @param index The outcome's position.
     * @return The accuracies.
     */
    public double[] robustAccuracy(int index) {
        return evaluations.stream().mapToDouble(e -> e.outcomes().get(index).accuracy()).toArray();
    }
}
