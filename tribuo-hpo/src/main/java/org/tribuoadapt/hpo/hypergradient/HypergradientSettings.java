package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.PropertyException;

import java.io.Serializable;

/**
 * The hyper-parameters of hypergradient descent (Baydin et al. 2018, "Online Learning Rate Adaptation with
 * Hypergradient Descent", ICLR), shared by the network optimiser factories ({@link SGDHDOptimiserFactory},
 * {@link AdamHDOptimiserFactory}) and the Tribuo {@code StochasticGradientOptimiser}s ({@link SGDHD}, {@link AdamHD}):
 * the initial learning rate {@code alpha_0}, the hypergradient learning rate beta, the update rule and the clip of the
 * learning rate. They are checked once, when the record is made; the base methods' own settings are the nested
 * {@link Momentum} and {@link Adam} records, checked the same way.
 *
 * @param learningRate The initial learning rate; positive, finite and inside {@code [minLearningRate, maxLearningRate]}.
 * @param beta The hypergradient learning rate; finite and {@code >= 0}, and {@code < 1} for the multiplicative rule.
 * @param rule The learning-rate update rule.
 * @param minLearningRate The lower clip of the learning rate; {@code >= 0}.
 * @param maxLearningRate The upper clip of the learning rate; finite and {@code >= minLearningRate}.
 */
public record HypergradientSettings(double learningRate, double beta, HypergradientRule rule, double minLearningRate,
                                    double maxLearningRate) implements Serializable {

    /**
     * Checks the settings.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param rule The update rule.
     * @param minLearningRate The lower clip.
     * @param maxLearningRate The upper clip.
     * @throws PropertyException naming the configuration property of the first invalid setting.
     */
    public HypergradientSettings {
            if (rule == null) {
                throw new PropertyException("", "rule", "rule must be ADDITIVE or MULTIPLICATIVE, found null");
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new PropertyException("", "learningRate", "learningRate must be positive and finite, found " + learningRate);
            }
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new PropertyException("", "beta", "beta (the hypergradient learning rate) must be finite and >= 0, found " + beta);
            }
            if (rule == HypergradientRule.MULTIPLICATIVE && beta >= 1) {
                throw new PropertyException("", "beta", "beta must be < 1 for the multiplicative rule, "
                        + "otherwise the learning rate can reach zero; found " + beta);
            }
            if (!(minLearningRate >= 0)) {
                throw new PropertyException("", "minLearningRate", "minLearningRate must be >= 0, found " + minLearningRate);
            }
            if (!(maxLearningRate >= minLearningRate) || Double.isInfinite(maxLearningRate)) {
                throw new PropertyException("", "maxLearningRate", "minLearningRate (" + minLearningRate
                        + ") must not exceed maxLearningRate (" + maxLearningRate + "), and maxLearningRate must be finite");
            }
            if (learningRate < minLearningRate || learningRate > maxLearningRate) {
                throw new PropertyException("", "learningRate", "learningRate " + learningRate
                        + " must lie in [minLearningRate, maxLearningRate] = [" + minLearningRate + ", " + maxLearningRate + "]");
            }
    }

    /**
     * Settings with the additive rule of the paper's algorithms.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param minLearningRate The lower clip.
     * @param maxLearningRate The upper clip.
     * @return The settings.
     */
    public static HypergradientSettings additive(double learningRate, double beta, double minLearningRate,
                                                 double maxLearningRate) {
        return new HypergradientSettings(learningRate, beta, HypergradientRule.ADDITIVE, minLearningRate, maxLearningRate);
    }

    /**
     * A fresh learning-rate schedule at the initial rate, for a new optimiser.
     * @return The schedule.
     */
    public HypergradientLearningRate newLearningRate() {
        return new HypergradientLearningRate(this);
    }

    /**
     * The settings as the optimisers' {@code toString} shows them.
     * @return {@code lr=...,beta=...,rule=...,clip=[min,max]}.
     */
    public String describe() {
        return "lr=" + learningRate + ",beta=" + beta + ",rule=" + rule + ",clip=[" + minLearningRate + ","
                + maxLearningRate + "]";
    }

    /**
     * Momentum of the SGD base method (Polyak 1964; Nesterov momentum as in Sutskever et al. 2013).
     *
     * @param momentum The momentum factor mu, in {@code [0, 1)}; 0 gives plain SGD-HD.
     * @param nesterov Whether Nesterov momentum is used (SGDN-HD); it needs {@code momentum > 0}.
     */
    public record Momentum(double momentum, boolean nesterov) implements Serializable {

        /** No momentum: plain SGD-HD. */
        public static final Momentum NONE = new Momentum(0.0, false);

        /**
         * Checks the settings.
         * @param momentum The momentum factor.
         * @param nesterov Whether Nesterov momentum is used.
         * @throws PropertyException naming the configuration property of an invalid setting.
         */
        public Momentum {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new PropertyException("", "momentum", "momentum must be in [0, 1), found " + momentum);
            }
            if (nesterov && momentum == 0) {
                throw new PropertyException("", "nesterov", "Nesterov momentum needs momentum > 0");
            }
        }
    }

    /**
     * The moments of the Adam base method (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization").
     *
     * @param beta1 First-moment decay, in {@code [0, 1)}.
     * @param beta2 Second-moment decay, in {@code [0, 1)}.
     * @param epsilon Denominator term, positive and finite.
     */
    public record Adam(double beta1, double beta2, double epsilon) implements Serializable {

        /** PyTorch's defaults: beta1 0.9, beta2 0.999, epsilon 1e-8. */
        public static final Adam DEFAULT = new Adam(0.9, 0.999, 1e-8);

        /**
         * Checks the settings.
         * @param beta1 First-moment decay.
         * @param beta2 Second-moment decay.
         * @param epsilon Denominator term.
         * @throws PropertyException naming the configuration property of an invalid setting.
         */
        public Adam {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new PropertyException("", "beta1", "beta1 and beta2 must be in [0, 1), found " + beta1 + ", "
                        + beta2);
            }
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new PropertyException("", "epsilon", "epsilon must be positive and finite, found " + epsilon);
            }
        }

        /**
         * The settings as the optimisers' {@code toString} shows them.
         * @return {@code beta1=...,beta2=...,epsilon=...}.
         */
        public String describe() {
            return "beta1=" + beta1 + ",beta2=" + beta2 + ",epsilon=" + epsilon;
        }
    }
}
