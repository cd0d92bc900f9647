package org.tribuoadapt.tta.method.labelshift;

import java.util.Arrays;

/**
 * The online estimate of the target label distribution that the Label Shift Adapter (Park et al. 2023) is fed: the
 * class priors of each test batch are estimated by EM on the source model's posteriors of that batch (Saerens,
 * Latinne and Decaestecker 2002, {@link LabelShiftEM#estimatePriors}), which, unlike the plain mean prediction, is
 * not pulled towards the source priors, and the estimate is their exponential moving average
 * {@code q <- m q + (1 - m) pi_batch}, started at the source priors. With calibrated posteriors, each batch's
 * estimate is consistent for the stream's priors, and the average converges to them with a noise that shrinks as the
 * momentum grows.
 */
final class LabelDistributionEstimator {

    private final double[] sourcePriors;
    private final double momentum;
    private final int maxIterations;
    private final double tolerance;
    private double[] estimate;

    /**
     * Creates an estimator at the source priors.
     * @param sourcePriors The source priors, positive and summing to 1.
     * @param momentum The weight of the old estimate, in [0, 1).
     * @param maxIterations The largest number of EM iterations per batch.
     * @param tolerance EM's convergence tolerance.
     */
    LabelDistributionEstimator(double[] sourcePriors, double momentum, int maxIterations, double tolerance) {
        this.sourcePriors = sourcePriors.clone();
        this.momentum = momentum;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
        this.estimate = sourcePriors.clone();
    }

    /**
     * Updates the estimate with one batch.
     * @param posteriors The source model's posteriors, {@code n * classes} values in label-id order.
     * @param n The number of examples.
     * @throws IllegalArgumentException if the posteriors do not have {@code n} rows of the classes, or a value is
     * not a probability.
     */
    void update(float[] posteriors, int n) {
        int classes = sourcePriors.length;
        if (n < 1 || posteriors.length != n * classes) {
            throw new IllegalArgumentException("expected " + n + " rows of " + classes + " posteriors, found "
                    + posteriors.length + " values");
        }
        double[][] rows = new double[n][classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                float p = posteriors[i * classes + c];
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("posterior " + p + " of example " + i + ", class " + c
                            + " is not a probability");
                }
                rows[i][c] = p;
            }
        }
        double[] batch = LabelShiftEM.estimatePriors(Arrays.asList(rows), sourcePriors, maxIterations,
                tolerance);
        for (int c = 0; c < classes; c++) {
            estimate[c] = momentum * estimate[c] + (1 - momentum) * batch[c];
        }
    }

    /**
     * The current estimate.
     * @return A copy of the estimated priors, in label-id order.
     */
    double[] estimate() {
        return estimate.clone();
    }

    /**
     * Returns to the source priors (on a model reset).
     */
    void reset() {
        estimate = sourcePriors.clone();
    }
}
