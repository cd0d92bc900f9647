package org.tribuoadapt.tta.method.dsrm;

import org.tribuoadapt.tta.method.RowSoftmax;

/**
 * DSRM's online model steering (Zhang et al. 2023): the target risk of each domain-specific head is estimated
 * without labels by the mean entropy of its predictions on the current batch,
 * {@code R_k = (1/n) sum_i H(p_k(x_i))}, and the heads are weighted by {@code w = softmax(-R / T)} (rule
 * {@link SteeringRule#MIX}) or by a one-hot vector on {@code argmin_k R_k} ({@link SteeringRule#SELECT}); the
 * prediction is {@code sum_k w_k p_k(x)}. The paper scores each arriving sample by its entropy; here a batch shares
 * its weights, as every method of this module predicts batch by batch.
 */
public final class HeadSteering {

    private HeadSteering() {}

    /**
     * The estimated risk of each head: the mean prediction entropy (natural log) over the batch.
     * @param headProbabilities For each head, {@code n * classes} probabilities.
     * @param n The number of examples.
     * @param classes The number of classes.
     * @return One risk per head.
     */
    public static double[] estimatedRisks(float[][] headProbabilities, int n, int classes) {
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one example, found " + n);
        }
        double[] risks = new double[headProbabilities.length];
        for (int k = 0; k < headProbabilities.length; k++) {
            float[] p = headProbabilities[k];
            if (p.length != n * classes) {
                throw new IllegalArgumentException("head " + k + " gave " + p.length + " probabilities for " + n
                        + " examples of " + classes + " classes");
            }
            double sum = 0;
            for (float v : p) {
                if (v > 0) {
                    sum -= v * Math.log(v);
                }
            }
            risks[k] = sum / n;
        }
        return risks;
    }

    /**
     * The heads' weights.
     * @param risks Estimated risks, one per head.
     * @param rule The steering rule.
     * @param temperature The softmax temperature of {@link SteeringRule#MIX}, positive.
     * @return Non-negative weights summing to 1.
     */
    public static double[] weights(double[] risks, SteeringRule rule, double temperature) {
        if (risks.length == 0) {
            throw new IllegalArgumentException("there is no head to steer");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("the temperature must be positive and finite, found " + temperature);
        }
        for (int k = 0; k < risks.length; k++) {
            if (!Double.isFinite(risks[k])) {
                throw new IllegalArgumentException("the estimated risk of head " + k + " is " + risks[k]);
            }
        }
        if (rule == SteeringRule.SELECT) {
            int best = 0;
            for (int k = 1; k < risks.length; k++) {
                if (risks[k] < risks[best]) {
                    best = k;
                }
            }
            double[] w = new double[risks.length];
            w[best] = 1;
            return w;
        }
        double[] scores = new double[risks.length];
        for (int k = 0; k < risks.length; k++) {
            scores[k] = -risks[k] / temperature;
        }
        return RowSoftmax.apply(scores, 1, risks.length);
    }

    /**
     * The weighted mixture of the heads' predictions.
     * @param headProbabilities For each head, the same number of probabilities.
     * @param weights One weight per head.
     * @return {@code sum_k w_k p_k}.
     */
    public static float[] mix(float[][] headProbabilities, double[] weights) {
        if (headProbabilities.length != weights.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + headProbabilities.length + " heads");
        }
        double[] sum = new double[headProbabilities[0].length];
        for (int k = 0; k < weights.length; k++) {
            for (int j = 0; j < sum.length; j++) {
                sum[j] += weights[k] * headProbabilities[k][j];
            }
        }
        float[] out = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
            out[j] = (float) sum[j];
        }
        return out;
    }
}
