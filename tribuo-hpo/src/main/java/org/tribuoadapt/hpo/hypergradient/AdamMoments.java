package org.tribuoadapt.hpo.hypergradient;

import org.tribuo.math.Parameters;
import org.tribuo.math.la.Tensor;

import java.util.function.DoubleUnaryOperator;

/**
 * Adam's moment estimates over Tribuo tensors (Kingma and Ba 2015, Algorithm 1), with PyTorch's placement of
 * epsilon: the direction is {@code mhat_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)}. Following Tribuo's optimisers,
 * a sparse gradient updates the moments and the direction only at its active elements.
 */
final class AdamMoments {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final Tensor[] firstMoments;
    private final Tensor[] secondMoments;

    /**
     * Creates zero moments shaped like the parameters.
     * @param settings Adam's moment settings.
     * @param parameters The parameters.
     */
    AdamMoments(HypergradientSettings.Adam settings, Parameters parameters) {
        this.beta1 = settings.beta1();
        this.beta2 = settings.beta2();
        this.epsilon = settings.epsilon();
        this.firstMoments = parameters.getEmptyCopy();
        this.secondMoments = parameters.getEmptyCopy();
    }

    /**
     * Updates the moments of one parameter tensor with a gradient and overwrites the gradient with Adam's
     * direction {@code mhat_t / (sqrt(vhat_t) + eps)} (in the gradient's sign).
     * @param index The parameter tensor's position.
     * @param gradient The gradient (in Tribuo's sign, the ascent direction of the log-likelihood); overwritten.
     * @param t The step number, from 1.
     */
    void toDirection(int index, Tensor gradient, int t) {
        double oneMinusBeta1 = 1 - beta1;
        double oneMinusBeta2 = 1 - beta2;
        double firstCorrection = 1 / (1 - Math.pow(beta1, t));
        double secondCorrection = Math.sqrt(1 - Math.pow(beta2, t));
        DoubleUnaryOperator scaleFirst = a -> a * oneMinusBeta1;
        DoubleUnaryOperator scaleSecond = a -> a * a * oneMinusBeta2;
        DoubleUnaryOperator correctFirst = a -> a * firstCorrection;
        DoubleUnaryOperator inverseDenominator = a -> 1 / (Math.sqrt(a) / secondCorrection + epsilon);
        firstMoments[index].scaleInPlace(beta1);
        firstMoments[index].intersectAndAddInPlace(gradient, scaleFirst);
        secondMoments[index].scaleInPlace(beta2);
        secondMoments[index].intersectAndAddInPlace(gradient, scaleSecond);
        gradient.scaleInPlace(0.0);
        gradient.intersectAndAddInPlace(firstMoments[index], correctFirst);
        gradient.hadamardProductInPlace(secondMoments[index], inverseDenominator);
    }
}
