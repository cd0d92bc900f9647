package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.PropertyException;

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
     * @param rule The update rule.
     * @param initial The initial learning rate {@code alpha_0}.
     * @param beta The hypergradient learning rate.
     * @param min The smallest learning rate allowed.
     * @param max The largest learning rate allowed.
     * @throws PropertyException if the settings are invalid (see {@link #validate}).
     */
    public HypergradientLearningRate(HypergradientRule rule, double initial, double beta, double min, double max) {
        validate("", rule, initial, beta, min, max);
        this.rule = rule;
        this.initial = initial;
        this.beta = beta;
        this.min = min;
        this.max = max;
        this.rate = initial;
    }

    /**
     * Checks hypergradient settings, naming the offending configuration property.
     * @param instanceName The configured component's name, for the error.
     * @param rule The update rule.
     * @param learningRate The initial learning rate; positive, finite and inside {@code [min, max]}.
     * @param beta The hypergradient learning rate; finite and {@code >= 0}, and {@code < 1} for the multiplicative rule.
     * @param min The lower clip; {@code >= 0}.
     * @param max The upper clip; finite and {@code >= min}.
     * @throws PropertyException if a setting is invalid.
     */
    public static void validate(String instanceName, HypergradientRule rule, double learningRate, double beta,
                                double min, double max) {
        if (rule == null) {
            throw new PropertyException(instanceName, "rule", "rule must be ADDITIVE or MULTIPLICATIVE, found null");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException(instanceName, "learningRate", "learningRate must be positive and finite, found " + learningRate);
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new PropertyException(instanceName, "beta", "beta (the hypergradient learning rate) must be finite and >= 0, found " + beta);
        }
        if (rule == HypergradientRule.MULTIPLICATIVE && beta >= 1) {
            throw new PropertyException(instanceName, "beta", "beta must be < 1 for the multiplicative rule, "
                    + "otherwise the learning rate can reach zero; found " + beta);
        }
        if (!(min >= 0)) {
            throw new PropertyException(instanceName, "minLearningRate", "minLearningRate must be >= 0, found " + min);
        }
        if (!(max >= min) || Double.isInfinite(max)) {
            throw new PropertyException(instanceName, "maxLearningRate", "minLearningRate (" + min
                    + ") must not exceed maxLearningRate (" + max + "), and maxLearningRate must be finite");
        }
        if (learningRate < min || learningRate > max) {
            throw new PropertyException(instanceName, "learningRate", "learningRate " + learningRate
                    + " must lie in [minLearningRate, maxLearningRate] = [" + min + ", " + max + "]");
        }
    }

    /**
     * Describes hypergradient settings for the {@code toString} of the optimisers that use them.
     * @param rule The update rule.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param min The lower clip.
     * @param max The upper clip.
     * @return {@code lr=...,beta=...,rule=...,clip=[min,max]}.
     */
    public static String describe(HypergradientRule rule, double learningRate, double beta, double min, double max) {
        return "lr=" + learningRate + ",beta=" + beta + ",rule=" + rule + ",clip=[" + min + "," + max + "]";
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
