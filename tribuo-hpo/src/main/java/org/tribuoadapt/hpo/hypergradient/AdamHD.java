package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuo.math.Parameters;
import org.tribuo.math.la.Tensor;

/**
 * Adam-HD (Baydin et al. 2018, "Online Learning Rate Adaptation with Hypergradient Descent", Algorithm 6) as a Tribuo
 * {@link org.tribuo.math.StochasticGradientOptimiser}: Adam's direction {@code mhat_t / (sqrt(vhat_t) + eps)} with a
 * learning rate that follows the hypergradient and is clipped (see {@link HypergradientStochasticOptimiser}). With
 * {@code beta = 0} it is {@link CorrectedAdam}, not Tribuo 4.3.2's {@code Adam}, which multiplies by
 * {@code sqrt(v) + eps} instead of dividing.
 */
public final class AdamHD extends HypergradientStochasticOptimiser {

    @Config(description = "Exponential decay of the first moment.")
    private double beta1 = 0.9;

    @Config(description = "Exponential decay of the second moment.")
    private double beta2 = 0.999;

    @Config(description = "Added to the denominator for stability.")
    private double epsilon = 1e-8;

    private HypergradientSettings.Adam adam;

    private AdamMoments moments;

    /** For OLCUT. */
    private AdamHD() {}

    /**
     * Creates Adam-HD with the additive rule and Adam's default moments.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param minLearningRate The lower clip of the learning rate.
     * @param maxLearningRate The upper clip of the learning rate.
     */
    public AdamHD(double learningRate, double beta, double minLearningRate, double maxLearningRate) {
        this(HypergradientSettings.additive(learningRate, beta, minLearningRate, maxLearningRate),
                HypergradientSettings.Adam.DEFAULT);
    }

    /**
     * Creates Adam-HD.
     * @param settings The hypergradient settings.
     * @param adam The moments of the base method.
     */
    public AdamHD(HypergradientSettings settings, HypergradientSettings.Adam adam) {
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
    protected void initialiseMethod(Parameters parameters) {
        moments = new AdamMoments(adam, parameters);
    }

    @Override
    protected void toDirection(int index, Tensor gradient, int t) {
        moments.toDirection(index, gradient, t);
    }

    @Override
    protected void resetMethod() {
        moments = null;
    }

    @Override
    public AdamHD copy() {
        return new AdamHD(settings(), adam);
    }

    @Override
    public String toString() {
        return "Adam-HD(" + describeSchedule() + "," + adam.describe() + ")";
    }
}
