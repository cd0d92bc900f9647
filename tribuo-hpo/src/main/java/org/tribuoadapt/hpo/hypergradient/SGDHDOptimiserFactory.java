package org.tribuoadapt.hpo.hypergradient;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.List;

/**
 * SGD-HD and SGDN-HD (Baydin et al. 2018, "Online Learning Rate Adaptation with Hypergradient Descent", Algorithms
 * 2 and 4): stochastic gradient descent, optionally with momentum or Nesterov momentum, whose learning rate follows
 * the hypergradient. With {@code d_t} the step direction ({@code g_t}; the momentum buffer {@code v_t = mu v_{t-1}
 * + g_t}; or {@code g_t + mu v_t} for Nesterov), the rate moves by {@code alpha_t = alpha_{t-1} + beta g_t . d_{t-1}}
 * (or by the multiplicative rule) and is clipped to {@code [minLearningRate, maxLearningRate]}; then
 * {@code theta_t = theta_{t-1} - alpha_t d_t}.
 * <p>
 * The defaults are the paper's ({@code alpha_0 = beta = 0.001}). The training loop records the rate in force when
 * each step begins, so a model's learning-rate trajectory lags the rate used by that step by one update.
 */
public final class SGDHDOptimiserFactory extends HypergradientOptimiserFactory {
    private static final long serialVersionUID = 1L;

    @Config(description = "Momentum factor mu; 0 gives SGD-HD.")
    private double momentum = 0.0;

    @Config(description = "Use Nesterov momentum (SGDN-HD; needs momentum > 0).")
    private boolean nesterov = false;

    /** For OLCUT. */
    private SGDHDOptimiserFactory() {
        super(0.001, 1.0);
    }

    /**
     * Creates SGD-HD with the additive rule and no momentum.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param minLearningRate The lower clip of the learning rate.
     * @param maxLearningRate The upper clip of the learning rate.
     */
    public SGDHDOptimiserFactory(double learningRate, double beta, double minLearningRate, double maxLearningRate) {
        this(HypergradientSettings.additive(learningRate, beta, minLearningRate, maxLearningRate),
                HypergradientSettings.Momentum.NONE);
    }

    /**
     * Creates SGD-HD, SGD-HD with momentum, or SGDN-HD.
     * @param settings The hypergradient settings.
     * @param momentum The momentum of the base method.
     */
    public SGDHDOptimiserFactory(HypergradientSettings settings, HypergradientSettings.Momentum momentum) {
        super(settings);
        this.momentum = momentum.momentum();
        this.nesterov = momentum.nesterov();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        // the record checks the momentum settings
        new HypergradientSettings.Momentum(momentum, nesterov);
    }

    @Override
    public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
        return new Optimiser(parameters);
    }

    @Override
    public String toString() {
        return (nesterov ? "SGDN-HD(" : "SGD-HD(") + describeSchedule() + ",momentum=" + momentum + ")";
    }

    private final class Optimiser extends HypergradientOptimiser {
        private final NDArray[] buffers;

        Optimiser(List<Parameter> parameters) {
            super(parameters, newLearningRate());
            this.buffers = momentum > 0 ? newState() : null;
        }

        @Override
        protected NDArray direction(int index, NDArray gradient, int t) {
            if (buffers == null) {
                return gradient;
            }
            buffers[index].muli(momentum).addi(gradient);
            return nesterov ? gradient.add(buffers[index].mul(momentum)) : buffers[index];
        }
    }
}
