package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.TapeConstants;

/**
 * The adaptive-smoothing mixture of Bai et al. (2024, equation 3):
 * {@code log p = log((1 - a) softmax(s_std * g(x)) + a softmax(s_rob * h(x)))} with {@code a = sigmoid(gamma)}. It
 * mixes probabilities, not logits, after a temperature (logit scale) on each model. It is computed in log space,
 * {@code logsumexp(log(1 - a) + log softmax(s_std g), log(a) + log softmax(s_rob h))} with
 * {@code log a = -softplus(-gamma)} and {@code log(1 - a) = -softplus(gamma)}, so it is stable and differentiable
 * for every gamma. Scores may be logits or log-probabilities: the softmax cannot tell them apart.
 */
public final class ProbabilityMixing {

    private ProbabilityMixing() {}

    /**
     * Mixes with a per-example weight.
     * @param standard The standard model's scores {@code [N, C]}.
     * @param robust The robust model's scores {@code [N, C]}, in the same column order.
     * @param gamma The mixing logits {@code [N]}; {@code a = sigmoid(gamma)} is the robust model's weight.
     * @param standardTemperature The standard model's logit scale, positive.
     * @param robustTemperature The robust model's logit scale, positive.
     * @return The mixed log-probabilities {@code [N, C]}.
     */
    public static NDArray logMix(NDArray standard, NDArray robust, NDArray gamma, double standardTemperature,
                                 double robustTemperature) {
        NDArray column = gamma.reshape(-1, 1);
        NDArray first = TapeConstants.times(standard, standardTemperature).logSoftmax(1).sub(softplus(column));
        NDArray second = TapeConstants.times(robust, robustTemperature).logSoftmax(1).sub(softplus(column.neg()));
        NDArray top = first.maximum(second);
        return top.add(first.sub(top).exp().add(second.sub(top).exp()).log());
    }

    /**
     * Mixes with a fixed weight; {@code alpha} 0 and 1 give the standard and the robust model alone.
     * @param standard The standard model's scores {@code [N, C]}.
     * @param robust The robust model's scores {@code [N, C]}.
     * @param alpha The robust model's weight, in [0, 1].
     * @param standardTemperature The standard model's logit scale.
     * @param robustTemperature The robust model's logit scale.
     * @return The mixed log-probabilities {@code [N, C]}.
     */
    public static NDArray logMix(NDArray standard, NDArray robust, double alpha, double standardTemperature,
                                 double robustTemperature) {
        if (alpha <= 0) {
            return TapeConstants.times(standard, standardTemperature).logSoftmax(1);
        }
        if (alpha >= 1) {
            return TapeConstants.times(robust, robustTemperature).logSoftmax(1);
        }
        NDArray gamma = standard.getManager().full(new ai.djl.ndarray.types.Shape(standard.getShape().get(0)),
                (float) Math.log(alpha / (1 - alpha)));
        return logMix(standard, robust, gamma, standardTemperature, robustTemperature);
    }

    /**
     * {@code softplus(x) = log(1 + exp(x))}, computed as {@code max(x, 0) + log(1 + exp(-|x|))}.
     * @param x The input.
     * @return The softplus.
     */
    static NDArray softplus(NDArray x) {
        return TapeConstants.atLeast(x, 0).add(x.abs().neg().exp().add(1f).log());
    }

    /**
     * Checks a mixing weight.
     * @param alpha The weight.
     * @throws IllegalArgumentException if it is outside [0, 1].
     */
    static void checkAlpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], found " + alpha);
        }
    }

    /**
     * Checks a temperature.
     * @param name Which model's.
     * @param temperature The temperature.
     * @throws IllegalArgumentException if it is not positive and finite.
     */
    static void checkTemperature(String name, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(name + " must be positive and finite, found " + temperature);
        }
    }
}
