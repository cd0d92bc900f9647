package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.core.train.OptimiserFactory;

/**
 * The configuration shared by the hypergradient network optimisers (Baydin et al. 2018): the initial learning rate,
 * the hypergradient learning rate beta, the update rule and the clip of the learning rate.
 */
public abstract class HypergradientOptimiserFactory implements OptimiserFactory {
    private static final long serialVersionUID = 1L;

    /** The initial learning rate. */
    @Config(description = "The initial learning rate alpha_0.")
    protected double learningRate = 0.001;

    /** The hypergradient learning rate. */
    @Config(description = "The hypergradient learning rate beta (for the multiplicative rule, the largest relative change per step, < 1).")
    protected double beta;

    /** The learning-rate update rule. */
    @Config(description = "How the learning rate moves: ADDITIVE (the paper's algorithms) or MULTIPLICATIVE.")
    protected HypergradientRule rule = HypergradientRule.ADDITIVE;

    /** The lower clip of the learning rate. */
    @Config(description = "The smallest learning rate allowed.")
    protected double minLearningRate = 0.0;

    /** The upper clip of the learning rate. */
    @Config(description = "The largest learning rate allowed.")
    protected double maxLearningRate;

    /**
     * For OLCUT: the defaults of a subclass.
     * @param beta The default hypergradient learning rate.
     * @param maxLearningRate The default upper clip.
     */
    protected HypergradientOptimiserFactory(double beta, double maxLearningRate) {
        this.beta = beta;
        this.maxLearningRate = maxLearningRate;
    }

    /**
     * Sets the hypergradient settings; subclasses call {@link #postConfig()} after setting their own.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param rule The update rule.
     * @param minLearningRate The lower clip.
     * @param maxLearningRate The upper clip.
     */
    protected HypergradientOptimiserFactory(double learningRate, double beta, HypergradientRule rule,
                                            double minLearningRate, double maxLearningRate) {
        this.learningRate = learningRate;
        this.beta = beta;
        this.rule = rule;
        this.minLearningRate = minLearningRate;
        this.maxLearningRate = maxLearningRate;
    }

    @Override
    public void postConfig() {
        HypergradientLearningRate.validate("", rule, learningRate, beta, minLearningRate, maxLearningRate);
    }

    /**
     * A fresh learning-rate schedule at the initial rate, for a new optimiser.
     * @return The schedule.
     */
    protected HypergradientLearningRate newLearningRate() {
        return new HypergradientLearningRate(rule, learningRate, beta, minLearningRate, maxLearningRate);
    }

    /**
     * The hypergradient settings for {@code toString}.
     * @return {@code lr=...,beta=...,rule=...,clip=[...]}.
     */
    protected String describeSchedule() {
        return HypergradientLearningRate.describe(rule, learningRate, beta, minLearningRate, maxLearningRate);
    }
}
