package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

import java.util.logging.Logger;

/**
 * Hypergradient descent on the learning rate (Baydin et al. 2018, "Online Learning Rate Adaptation with
 * Hypergradient Descent") for Tribuo's SGD trainers, in double precision. Each {@link #step} first moves the
 * learning rate along the hypergradient computed over all parameter tensors, {@code alpha_t = alpha_{t-1} +
 * beta g_t . d_{t-1}} (or the multiplicative rule), clips it to {@code [minLearningRate, maxLearningRate]}, then
 * returns {@code alpha_t} times the base method's direction {@code d_t}, which the trainer adds to the parameters.
 * <p>
 * Tribuo passes the negated loss gradient; this class multiplies it by the example weight (as Tribuo's {@code SGD}
 * and {@code AdaGrad} do) before it enters the base method. A gradient with NaN or infinite
 * values stops training with an error. When training ends ({@link #finalise()}) the learning-rate trajectory is
 * summarised in the log, because Tribuo's trainers copy the optimiser and keep no trajectory of their own.
 */
public abstract class HypergradientStochasticOptimiser implements StochasticGradientOptimiser {
    private static final Logger logger = Logger.getLogger(HypergradientStochasticOptimiser.class.getName());

    /** The initial learning rate. */
    @Config(mandatory = true, description = "The initial learning rate alpha_0.")
    protected double learningRate;

    /** The hypergradient learning rate. */
    @Config(mandatory = true, description = "The hypergradient learning rate beta (for the multiplicative rule, the largest relative change per step, < 1).")
    protected double beta;

    /** The learning-rate update rule. */
    @Config(description = "How the learning rate moves: ADDITIVE (the paper's algorithms) or MULTIPLICATIVE.")
    protected HypergradientRule rule = HypergradientRule.ADDITIVE;

    /** The lower clip of the learning rate. */
    @Config(description = "The smallest learning rate allowed.")
    protected double minLearningRate = 0.0;

    /** The upper clip of the learning rate. */
    @Config(description = "The largest learning rate allowed.")
    protected double maxLearningRate = 1.0;

    private HypergradientSettings settings;

    private HypergradientLearningRate rate;
    private Tensor[] previousDirections;
    private double previousSquaredNorm;
    private int iteration;
    private double smallestRate;
    private double largestRate;

    /** For OLCUT. */
    protected HypergradientStochasticOptimiser() {}

    /**
     * Sets the hypergradient settings, already checked by their record.
     * @param settings The settings.
     */
    protected HypergradientStochasticOptimiser(HypergradientSettings settings) {
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

    @Override
    public void initialise(Parameters parameters) {
        rate = settings.newLearningRate();
        previousDirections = parameters.getEmptyCopy();
        previousSquaredNorm = 0;
        iteration = 0;
        smallestRate = learningRate;
        largestRate = learningRate;
        initialiseMethod(parameters);
    }

    /**
     * Allocates the base method's state.
     * @param parameters The parameters to optimise.
     */
    protected abstract void initialiseMethod(Parameters parameters);

    /**
     * Overwrites one gradient tensor with the base method's direction at step {@code t}, updating the method's
     * state. Sparse gradients keep their sparsity.
     * @param index The tensor's position.
     * @param gradient The weighted gradient, in Tribuo's sign (the direction that lowers the loss); overwritten.
     * @param t The step number, from 1.
     */
    protected abstract void toDirection(int index, Tensor gradient, int t);

    /**
     * Forgets the base method's state.
     */
    protected abstract void resetMethod();

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        if (rate == null) {
            throw new IllegalStateException(this + " was not initialised; call initialise(parameters) before step");
        }
        iteration++;
        double gradientSquaredNorm = 0;
        double dot = 0;
        for (int i = 0; i < updates.length; i++) {
            if (weight != 1.0) {
                updates[i].scaleInPlace(weight);
            }
            gradientSquaredNorm += TensorInnerProduct.squaredNorm(updates[i]);
            if (iteration > 1) {
                dot += TensorInnerProduct.dot(updates[i], previousDirections[i]);
            }
        }
        if (iteration == 1) {
            rate.checkGradient(iteration, gradientSquaredNorm);
        } else {
            rate.update(iteration, dot, gradientSquaredNorm, previousSquaredNorm);
        }
        double alpha = rate.current();
        smallestRate = Math.min(smallestRate, alpha);
        largestRate = Math.max(largestRate, alpha);
        double directionSquaredNorm = 0;
        for (int i = 0; i < updates.length; i++) {
            toDirection(i, updates[i], iteration);
            previousDirections[i].scaleInPlace(0.0);
            previousDirections[i].intersectAndAddInPlace(updates[i]);
            directionSquaredNorm += TensorInnerProduct.squaredNorm(updates[i]);
            updates[i].scaleInPlace(alpha);
        }
        previousSquaredNorm = directionSquaredNorm;
        return updates;
    }

    /**
     * The learning rate of the last step (the initial rate before the first).
     * @return The current learning rate.
     */
    public double currentLearningRate() {
        return rate == null ? learningRate : rate.current();
    }

    @Override
    public void finalise() {
        if (rate != null) {
            logger.info(String.format("%s took %d steps: learning rate %.4g -> %.4g (min %.4g, max %.4g), %d updates clipped",
                    this, iteration, learningRate, rate.current(), smallestRate, largestRate, rate.clippedSteps()));
        }
    }

    @Override
    public void reset() {
        rate = null;
        previousDirections = null;
        previousSquaredNorm = 0;
        iteration = 0;
        resetMethod();
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
    }

    /**
     * The hypergradient settings for {@code toString}.
     * @return {@code lr=...,beta=...,rule=...,clip=[...]}.
     */
    protected String describeSchedule() {
        return settings.describe();
    }
}
