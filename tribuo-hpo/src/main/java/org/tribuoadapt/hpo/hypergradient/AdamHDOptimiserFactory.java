package org.tribuoadapt.hpo.hypergradient;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingPlan;

import java.util.List;

/**
 * Adam-HD (Baydin et al. 2018, "Online Learning Rate Adaptation with Hypergradient Descent", Algorithm 6): Adam
 * (Kingma and Ba 2015) whose learning rate follows the hypergradient. With the bias-corrected moments
 * {@code mhat_t}, {@code vhat_t} and the direction {@code d_t = mhat_t / (sqrt(vhat_t) + eps)}, each step first moves
 * the rate, {@code alpha_t = alpha_{t-1} + beta g_t . d_{t-1}} (skipped at step 1; or the multiplicative rule), clips
 * it to {@code [minLearningRate, maxLearningRate]}, then updates {@code theta_t = theta_{t-1} - alpha_t d_t}. With
 * {@code beta = 0} this is exactly PyTorch's Adam.
 * <p>
 * The paper used {@code beta = 1e-7} for MLPs and {@code 1e-8} for VGG nets. Because the hypergradient is a sum over
 * every parameter, a good beta shrinks as networks grow. The training loop records the rate in force when each step
 * begins, so a model's learning-rate trajectory lags the rate used by that step by one update.
 */
public final class AdamHDOptimiserFactory extends HypergradientOptimiserFactory {
    private static final long serialVersionUID = 1L;

    @Config(description = "Exponential decay of the first moment.")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay of the second moment.")
    private double beta2 = 0.999;

    @Config(description = "Added to the denominator for stability.")
    private double epsilon = 1e-8;

    private HypergradientSettings.Adam adam;

    /** For OLCUT. */
    private AdamHDOptimiserFactory() {
        super(1e-7, 0.1);
    }

    /**
     * Creates Adam-HD with the additive rule and Adam's default moments.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param minLearningRate The lower clip of the learning rate.
     * @param maxLearningRate The upper clip of the learning rate.
     */
    public AdamHDOptimiserFactory(double learningRate, double beta, double minLearningRate, double maxLearningRate) {
        this(HypergradientSettings.additive(learningRate, beta, minLearningRate, maxLearningRate),
                HypergradientSettings.Adam.DEFAULT);
    }

    /**
     * Creates Adam-HD.
     * @param settings The hypergradient settings.
     * @param adam The moments of the base method.
     */
    public AdamHDOptimiserFactory(HypergradientSettings settings, HypergradientSettings.Adam adam) {
        super(settings);
        this.beta1 = adam.beta1();
        this.beta2 = adam.beta2();
        this.epsilon = adam.epsilon();
        this.adam = adam;
    }

    @Override
    public void postConfig() {
        super.postConfig();
        adam = new HypergradientSettings.Adam(beta1, beta2, epsilon);
    }

    @Override
    public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
        return new Optimiser(parameters);
    }

    @Override
    public String toString() {
        return "Adam-HD(" + describeSchedule() + "," + adam.describe() + ")";
    }

    private final class Optimiser extends HypergradientOptimiser {
        private final NDArray[] firstMoments;
        private final NDArray[] secondMoments;

        Optimiser(List<Parameter> parameters) {
            super(parameters, newLearningRate());
            this.firstMoments = newState();
            this.secondMoments = newState();
        }

        @Override
        protected NDArray direction(int index, NDArray gradient, int t) {
            firstMoments[index].muli(beta1).addi(gradient.mul(1 - beta1));
            secondMoments[index].muli(beta2).addi(gradient.square().muli(1 - beta2));
            NDArray denominator = secondMoments[index].sqrt().divi(Math.sqrt(1 - Math.pow(beta2, t))).addi(epsilon);
            return firstMoments[index].div(denominator).divi(1 - Math.pow(beta1, t));
        }
    }
}
