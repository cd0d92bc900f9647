package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * Adam (Kingma and Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1) for Tribuo's SGD trainers,
 * as PyTorch computes it: {@code m_t = beta1 m + (1 - beta1) g}, {@code v_t = beta2 v + (1 - beta2) g^2}, and the
 * update {@code lr * mhat_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)}.
 * <p>
 * Tribuo 4.3.2's {@code org.tribuo.math.optimisers.Adam} multiplies the first moment by {@code sqrt(v) + eps}
 * instead of dividing by it, so its steps grow with the gradient's magnitude instead of being normalised; it also
 * ignores the example weight and defaults to {@code epsilon = 1e-6}. This class divides, scales the gradient by the
 * example weight as Tribuo's {@code SGD} and {@code AdaGrad} do, and uses PyTorch's defaults.
 */
public final class CorrectedAdam implements StochasticGradientOptimiser {

    @Config(description = "The learning rate.")
    private double learningRate = 0.001;

    @Config(description = "Exponential decay of the first moment.")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay of the second moment.")
    private double beta2 = 0.999;

    @Config(description = "Added to the denominator for stability.")
    private double epsilon = 1e-8;

    private HypergradientSettings.Adam adam;

    private AdamMoments moments;
    private int iteration;

    /** For OLCUT. */
    private CorrectedAdam() {}

    /**
     * Creates Adam with PyTorch's default moments and epsilon.
     * @param learningRate The learning rate.
     */
    public CorrectedAdam(double learningRate) {
        this(learningRate, HypergradientSettings.Adam.DEFAULT);
    }

    /**
     * Creates Adam.
     * @param learningRate The learning rate.
     * @param adam The moment settings.
     */
    public CorrectedAdam(double learningRate, HypergradientSettings.Adam adam) {
        this.learningRate = learningRate;
        this.beta1 = adam.beta1();
        this.beta2 = adam.beta2();
        this.epsilon = adam.epsilon();
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learningRate must be positive and finite, found " + learningRate);
        }
        adam = new HypergradientSettings.Adam(beta1, beta2, epsilon);
    }

    @Override
    public void initialise(Parameters parameters) {
        moments = new AdamMoments(adam, parameters);
        iteration = 0;
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        if (moments == null) {
            throw new IllegalStateException(this + " was not initialised; call initialise(parameters) before step");
        }
        iteration++;
        for (int i = 0; i < updates.length; i++) {
            if (weight != 1.0) {
                updates[i].scaleInPlace(weight);
            }
            moments.toDirection(i, updates[i], iteration);
            updates[i].scaleInPlace(learningRate);
        }
        return updates;
    }

    @Override
    public void reset() {
        moments = null;
        iteration = 0;
    }

    @Override
    public CorrectedAdam copy() {
        return new CorrectedAdam(learningRate, adam);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
    }

    @Override
    public String toString() {
        return "CorrectedAdam(learningRate=" + learningRate + ",beta1=" + beta1 + ",beta2=" + beta2 + ",epsilon=" + epsilon + ")";
    }
}
