package org.tribuoadapt.tta.scenario;

import java.util.SplittableRandom;

/**
 * Draws from a symmetric Dirichlet distribution by normalising Gamma variates (Marsaglia and Tsang 2000, with
 * {@code Gamma(a) = Gamma(a + 1) U^(1/a)} for shapes below 1). The variates are kept as logarithms, so very small
 * concentrations such as 0.01, whose Gamma draws underflow, still give a proper probability vector.
 */
public final class DirichletSampler {

    private DirichletSampler() {}

    /**
     * Draws one probability vector.
     * @param concentration The concentration delta, positive.
     * @param size The number of components.
     * @param rng The random stream.
     * @return {@code size} non-negative values that sum to 1.
     */
    public static double[] sample(double concentration, int size, SplittableRandom rng) {
        double[] logs = new double[size];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            logs[i] = logGamma(concentration, rng);
            max = Math.max(max, logs[i]);
        }
        double sum = 0;
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = Math.exp(logs[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < size; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** The logarithm of a Gamma(shape, 1) variate. */
    private static double logGamma(double shape, SplittableRandom rng) {
        if (shape < 1) {
            double u = 1 - rng.nextDouble();
            return logGamma(shape + 1, rng) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return Math.log(d * v);
            }
        }
    }
}
