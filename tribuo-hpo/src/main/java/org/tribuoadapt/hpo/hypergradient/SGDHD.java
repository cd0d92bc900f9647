package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuo.math.Parameters;
import org.tribuo.math.la.Tensor;

import java.util.function.DoubleUnaryOperator;

/**
 * SGD-HD and SGDN-HD (Baydin et al. 2018, "Online Learning Rate Adaptation with Hypergradient Descent", Algorithms
 * 2 and 4) as a Tribuo {@link org.tribuo.math.StochasticGradientOptimiser}, usable in {@code LinearSGDTrainer},
 * factorization machines and every other Tribuo SGD trainer. The direction is the gradient, the momentum buffer
 * {@code v_t = mu v_{t-1} + g_t}, or {@code g_t + mu v_t} with Nesterov momentum; the learning rate follows the
 * hypergradient and is clipped (see {@link HypergradientStochasticOptimiser}).
 * <p>
 * The paper's defaults are {@code alpha_0 = beta = 0.001}. Tribuo's linear models sum the loss of a minibatch rather
 * than averaging it, so their gradients, and the useful beta, scale with the minibatch size.
 */
public final class SGDHD extends HypergradientStochasticOptimiser {

    @Config(description = "Momentum factor mu; 0 gives SGD-HD.")
    private double momentum = 0.0;

    @Config(description = "Use Nesterov momentum (SGDN-HD; needs momentum > 0).")
    private boolean nesterov = false;

    private Tensor[] buffers;

    /** For OLCUT. */
    private SGDHD() {}

    /**
     * Creates SGD-HD with the additive rule and no momentum.
     * @param learningRate The initial learning rate.
     * @param beta The hypergradient learning rate.
     * @param minLearningRate The lower clip of the learning rate.
     * @param maxLearningRate The upper clip of the learning rate.
     */
    public SGDHD(double learningRate, double beta, double minLearningRate, double maxLearningRate) {
        this(HypergradientSettings.additive(learningRate, beta, minLearningRate, maxLearningRate),
                HypergradientSettings.Momentum.NONE);
    }

    /**
     * Creates SGD-HD, SGD-HD with momentum, or SGDN-HD.
     * @param settings The hypergradient settings.
     * @param momentum The momentum of the base method.
     */
    public SGDHD(HypergradientSettings settings, HypergradientSettings.Momentum momentum) {
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
    protected void initialiseMethod(Parameters parameters) {
        buffers = momentum > 0 ? parameters.getEmptyCopy() : null;
    }

    @Override
    protected void toDirection(int index, Tensor gradient, int t) {
        if (buffers == null) {
            return;
        }
        buffers[index].scaleInPlace(momentum);
        buffers[index].intersectAndAddInPlace(gradient);
        if (nesterov) {
            double mu = momentum;
            DoubleUnaryOperator scale = a -> a * mu;
            gradient.intersectAndAddInPlace(buffers[index], scale);
        } else {
            gradient.scaleInPlace(0.0);
            gradient.intersectAndAddInPlace(buffers[index]);
        }
    }

    @Override
    protected void resetMethod() {
        buffers = null;
    }

    @Override
    public SGDHD copy() {
        return new SGDHD(settings(), new HypergradientSettings.Momentum(momentum, nesterov));
    }

    @Override
    public String toString() {
        return (nesterov ? "SGDN-HD(" : "SGD-HD(") + describeSchedule() + ",momentum=" + momentum + ")";
    }
}
