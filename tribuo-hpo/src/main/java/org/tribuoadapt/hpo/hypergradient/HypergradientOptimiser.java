package org.tribuoadapt.hpo.hypergradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.ParameterOptimiser;

import java.util.List;

/**
 * The step shared by the hypergradient network optimisers (Baydin et al. 2018, Algorithms 2, 4 and 6): before each
 * update the learning rate moves along the hypergradient {@code h_t = -g_t . d_{t-1}} computed over all parameters
 * at once, then the base method's descent direction {@code d_t} is applied with the new rate,
 * {@code theta_t = theta_{t-1} - alpha_t d_t}. Step 1 has no previous direction and keeps the initial rate.
 * Subclasses supply {@code d_t} (plain SGD, momentum, Adam).
 */
abstract class HypergradientOptimiser extends ParameterOptimiser {
    private static final NDIndex ALL = new NDIndex("...");

    private final HypergradientLearningRate rate;
    private final NDArray[] previousDirections;
    private double previousSquaredNorm;

    /**
     * Creates the optimiser.
     * @param parameters The trainable parameters.
     * @param rate The learning-rate schedule, at its initial value.
     */
    HypergradientOptimiser(List<Parameter> parameters, HypergradientLearningRate rate) {
        super(parameters);
        this.rate = rate;
        this.previousDirections = newState();
    }

    @Override
    protected final void update(int t) {
        NDArray[] gradients = new NDArray[parameters.size()];
        double gradientSquaredNorm = 0;
        double dot = 0;
        for (int i = 0; i < gradients.length; i++) {
            gradients[i] = gradient(parameters.get(i));
            gradientSquaredNorm += gradients[i].square().sum().getFloat();
            if (t > 1) {
                dot += gradients[i].mul(previousDirections[i]).sum().getFloat();
            }
        }
        if (t == 1) {
            rate.checkGradient(t, gradientSquaredNorm);
        } else {
            rate.update(t, dot, gradientSquaredNorm, previousSquaredNorm);
        }
        double alpha = rate.current();
        double directionSquaredNorm = 0;
        for (int i = 0; i < gradients.length; i++) {
            NDArray direction = direction(i, gradients[i], t);
            previousDirections[i].set(ALL, direction);
            directionSquaredNorm += direction.square().sum().getFloat();
            parameters.get(i).array().subi(direction.mul(alpha));
        }
        previousSquaredNorm = directionSquaredNorm;
    }

    /**
     * The base method's descent direction for one parameter at step {@code t}, updating the method's own state
     * (momentum buffers, moments). The parameter moves by {@code -alpha_t} times it.
     * @param index The parameter's position in {@link #parameters}.
     * @param gradient Its gradient {@code g_t}.
     * @param t The step number, from 1.
     * @return The direction; it may be a state tensor, which the caller does not modify.
     */
    protected abstract NDArray direction(int index, NDArray gradient, int t);

    @Override
    public final double learningRate() {
        return rate.current();
    }

    /**
     * How many learning-rate updates were clipped so far.
     * @return The count.
     */
    public int clippedSteps() {
        return rate.clippedSteps();
    }
}
