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

    private HypergradientSettings settings;

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
     * Sets the hypergradient settings, already checked by their record.
     * @param settings The settings.
     */
    protected HypergradientOptimiserFactory(HypergradientSettings settings) {
        this.learningRate = settings.learningRate();
        this.beta = settings.beta();
        this.rule = settings.rule();
        this.minLearningRate = settings.minLearningRate();
        this.maxLearningRate = settings.maxLearningRate();
        this.settings = settings;
    }

    /**
     * Checks the configured hypergradient settings by building their record.
     */
    @Override
    public void postConfig() {
        settings = new HypergradientSettings(learningRate, beta, rule, minLearningRate, maxLearningRate);
    }

    /**
     * The hypergradient settings.
     * @return The settings.
     */
    public HypergradientSettings settings() {
        return settings;
    }

    /**
     * A fresh learning-rate schedule at the initial rate, for a new optimiser.
     * @return The schedule.
     */
    protected HypergradientLearningRate newLearningRate() {
        return settings.newLearningRate();
    }

    /**
     * The hypergradient settings for {@code toString}.
     * @return {@code lr=...,beta=...,rule=...,clip=[...]}.
     */
    protected String describeSchedule() {
        return settings.describe();
    }
}
