package org.tribuoadapt.hpo.hypergradient;

import java.util.logging.Logger;

/**
 * The learning rate of a hypergradient optimiser (Baydin et al. 2018) and the safeguards the method lacks: the rate
 * is clipped to a configured {@code [min, max]} after every update, a gradient with NaN or infinite values stops
 * training with an error before any weight changes, and hitting a bound is logged once per bound (a rate pinned at
 * the upper bound usually means the loss is diverging). Both the network optimisers and the Tribuo
 * {@code StochasticGradientOptimiser}s keep their rate in one of these.
 */
public final class HypergradientLearningRate {
    private static final Logger logger = Logger.getLogger(HypergradientLearningRate.class.getName());

    private final HypergradientRule rule;
    private final double initial;
    private final double beta;
    private final double min;
    private final double max;
    private double rate;
    private int clippedSteps;
    private boolean reportedUpper;
    private boolean reportedLower;

    /**
     * Creates a learning rate at its initial value.
     * @param settings The validated hypergradient settings.
     */
    public HypergradientLearningRate(HypergradientSettings settings) {
        this.rule = settings.rule();
        this.initial = settings.learningRate();
        this.beta = settings.beta();
        this.min = settings.minLearningRate();
        this.max = settings.maxLearningRate();
        this.rate = initial;
    }

    /**
     * The learning rate the next step uses.
     * @return The current rate.
     */
    public double current() {
        return rate;
    }

    /**
     * The rate this schedule started from.
     * @return {@code alpha_0}.
     */
    public double initial() {
        return initial;
    }

    /**
     * The number of updates whose result was clipped to {@code [min, max]}.
     * @return The count.
     */
    public int clippedSteps() {
        return clippedSteps;
    }

    /**
     * Checks the gradient of step {@code step} before any weight is changed.
     * @param step The step number, from 1.
     * @param gradientSquaredNorm {@code |g_t|^2}.
     * @throws IllegalStateException if the gradient has NaN or infinite values.
     */
    public void checkGradient(int step, double gradientSquaredNorm) {
        if (!Double.isFinite(gradientSquaredNorm)) {
            throw new IllegalStateException("the gradient at step " + step + " has NaN or infinite values (squared norm "
                    + gradientSquaredNorm + ", learning rate " + rate + "); training is diverging, so no weight was "
                    + "updated. Lower maxLearningRate (" + max + ") or beta (" + beta + "), or clip the gradients");
        }
    }

    /**
     * Moves the learning rate by one hypergradient step and clips it.
     * @param step The step number, from 2 (step 1 has no previous direction).
     * @param dot {@code g_t . d_{t-1}}.
     * @param gradientSquaredNorm {@code |g_t|^2}.
     * @param directionSquaredNorm {@code |d_{t-1}|^2}.
     * @return The new learning rate.
     * @throws IllegalStateException if the gradient or the hypergradient is not finite.
     */
    public double update(int step, double dot, double gradientSquaredNorm, double directionSquaredNorm) {
        checkGradient(step, gradientSquaredNorm);
        if (!Double.isFinite(dot)) {
            throw new IllegalStateException("the hypergradient at step " + step + " is " + dot + " (learning rate "
                    + rate + "); training is diverging, so no weight was updated");
        }
        double next = rule.next(rate, beta, dot, gradientSquaredNorm, directionSquaredNorm);
        if (next > max) {
            clippedSteps++;
            if (!reportedUpper) {
                reportedUpper = true;
                logger.warning("hypergradient learning rate reached maxLearningRate " + max + " at step " + step
                        + " and was clipped; if this persists the loss may be diverging");
            }
            next = max;
        } else if (next < min) {
            clippedSteps++;
            if (!reportedLower) {
                reportedLower = true;
                logger.info("hypergradient learning rate reached minLearningRate " + min + " at step " + step + " and was clipped");
            }
            next = min;
        }
        rate = next;
        return rate;
    }

    @Override
    public String toString() {
        return "HypergradientLearningRate(rule=" + rule + ",initial=" + initial + ",beta=" + beta + ",min=" + min
                + ",max=" + max + ",current=" + rate + ",clippedSteps=" + clippedSteps + ")";
    }
}
