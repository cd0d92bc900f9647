package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum (Sutskever et al. 2013) and L2 weight decay,
 * with PyTorch's {@code torch.optim.SGD} update: {@code g += wd p}; {@code b = mu b + g} (b = g on the first step);
 * {@code g = g + mu b} for Nesterov, else {@code g = b}; {@code p -= lr g}.
 */
public final class SGDOptimiserFactory implements OptimiserFactory {
    private static final long serialVersionUID = 1L;

    @Config(description = "The learning rate.")
    private double learningRate = 0.01;

    @Config(description = "Momentum factor; 0 disables momentum.")
    private double momentum = 0.0;

    @Config(description = "Use Nesterov momentum (needs momentum > 0).")
    private boolean nesterov = false;

    @Config(description = "L2 penalty added to the gradient.")
    private double weightDecay = 0.0;

    /** For OLCUT. */
    private SGDOptimiserFactory() {}

    /**
     * Creates an SGD factory.
     * @param learningRate The learning rate.
     * @param momentum The momentum factor.
     * @param nesterov Whether to use Nesterov momentum.
     * @param weightDecay The L2 penalty.
     */
    public SGDOptimiserFactory(double learningRate, double momentum, boolean nesterov, double weightDecay) {
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learningRate must be positive and finite, found " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new PropertyException("", "momentum", "momentum must be in [0, 1), found " + momentum);
        }
        if (nesterov && momentum == 0) {
            throw new PropertyException("", "nesterov", "Nesterov momentum needs momentum > 0");
        }
        if (!(weightDecay >= 0)) {
            throw new PropertyException("", "weightDecay", "weightDecay must be >= 0, found " + weightDecay);
        }
    }

    @Override
    public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
        return new SGD(parameters);
    }

    @Override
    public String toString() {
        return "SGD(lr=" + learningRate + ",momentum=" + momentum + ",nesterov=" + nesterov + ",weightDecay=" + weightDecay + ")";
    }

    private final class SGD extends ParameterOptimiser {
        private double rate = learningRate;
        private final NDArray[] buffers;

        SGD(List<Parameter> parameters) {
            super(parameters);
            this.buffers = momentum > 0 ? newState() : null;
        }

        @Override
        protected void update(int t) {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i).array();
                NDArray g = gradient(parameters.get(i));
                if (weightDecay != 0) {
                    g = g.add(p.mul(weightDecay));
                }
                if (buffers != null) {
                    if (t == 1) {
                        buffers[i].addi(g);
                    } else {
                        buffers[i].muli(momentum).addi(g);
                    }
                    g = nesterov ? g.add(buffers[i].mul(momentum)) : buffers[i];
                }
                p.subi(g.mul(rate));
            }
        }

        @Override
        public double learningRate() {
            return rate;
        }

        @Override
        public void setLearningRate(double rate) {
            this.rate = NetworkOptimiser.checkRate(rate);
        }
    }
}
