package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

/**
 * Adam (Kingma and Ba 2015) and AdamW (Loshchilov and Hutter 2019), with PyTorch's update:
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
 * {@code p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)}. Weight decay is L2 (added to the gradient)
 * for Adam and decoupled ({@code p *= 1 - lr wd} before the step) for AdamW.
 * <p>
 * Unlike Tribuo 4.3.2's {@code Adam}, which multiplies by {@code sqrt(v) + eps} instead of dividing, this divides.
 */
public final class AdamOptimiserFactory implements OptimiserFactory {
    private static final long serialVersionUID = 1L;

    @Config(description = "The learning rate.")
    private double learningRate = 1e-3;

    @Config(description = "Exponential decay of the first moment.")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay of the second moment.")
    private double beta2 = 0.999;

    @Config(description = "Added to the denominator for stability.")
    private double epsilon = 1e-8;

    @Config(description = "Weight decay: L2 for Adam, decoupled for AdamW.")
    private double weightDecay = 0.0;

    @Config(description = "Use decoupled weight decay (AdamW).")
    private boolean decoupledWeightDecay = false;

    /** For OLCUT. */
    private AdamOptimiserFactory() {}

    /**
     * Creates an Adam factory with the default betas and epsilon and no weight decay.
     * @param learningRate The learning rate.
     */
    public AdamOptimiserFactory(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-8, 0.0, false);
    }

    /**
     * Creates an Adam or AdamW factory.
     * @param learningRate The learning rate.
     * @param beta1 First-moment decay.
     * @param beta2 Second-moment decay.
     * @param epsilon Denominator term.
     * @param weightDecay Weight decay.
     * @param decoupledWeightDecay True for AdamW.
     */
    public AdamOptimiserFactory(double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
                                boolean decoupledWeightDecay) {
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.decoupledWeightDecay = decoupledWeightDecay;
        postConfig();
    }

    /**
     * AdamW with PyTorch's default decay of 0.01.
     * @param learningRate The learning rate.
     * @return The factory.
     */
    public static AdamOptimiserFactory adamW(double learningRate) {
        return new AdamOptimiserFactory(learningRate, 0.9, 0.999, 1e-8, 0.01, true);
    }

    @Override
    public void postConfig() {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learningRate must be positive and finite, found " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new PropertyException("", "beta1", "beta1 and beta2 must be in [0, 1), found " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new PropertyException("", "epsilon", "epsilon must be positive, found " + epsilon);
        }
        if (!(weightDecay >= 0)) {
            throw new PropertyException("", "weightDecay", "weightDecay must be >= 0, found " + weightDecay);
        }
    }

    @Override
    public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
        return new Adam(parameters);
    }

    @Override
    public String toString() {
        return (decoupledWeightDecay ? "AdamW" : "Adam") + "(lr=" + learningRate + ",beta1=" + beta1 + ",beta2=" + beta2
                + ",epsilon=" + epsilon + ",weightDecay=" + weightDecay + ")";
    }

    private final class Adam extends ParameterOptimiser {
        private double rate = learningRate;
        private final NDArray[] firstMoments;
        private final NDArray[] secondMoments;

        Adam(List<Parameter> parameters) {
            super(parameters);
            this.firstMoments = newState();
            this.secondMoments = newState();
        }

        @Override
        protected void update(int t) {
            double stepSize = rate / (1 - Math.pow(beta1, t));
            double correction2 = Math.sqrt(1 - Math.pow(beta2, t));
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i).array();
                NDArray g = gradient(parameters.get(i));
                if (weightDecay != 0) {
                    if (decoupledWeightDecay) {
                        p.muli(1 - rate * weightDecay);
                    } else {
                        g = g.add(p.mul(weightDecay));
                    }
                }
                firstMoments[i].muli(beta1).addi(g.mul(1 - beta1));
                secondMoments[i].muli(beta2).addi(g.square().muli(1 - beta2));
                NDArray denominator = secondMoments[i].sqrt().divi(correction2).addi(epsilon);
                p.subi(firstMoments[i].div(denominator).muli(stepSize));
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
