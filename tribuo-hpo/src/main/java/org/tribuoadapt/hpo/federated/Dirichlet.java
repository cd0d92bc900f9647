package org.tribuoadapt.hpo.federated;

import java.util.SplittableRandom;

/**
 * Draws from a symmetric Dirichlet distribution by normalising independent Gamma(alpha, 1) draws, with Marsaglia and
 * Tsang's (2000, "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3)) squeeze method for the gammas and
 * their boost {@code Gamma(alpha) = Gamma(alpha + 1) U^(1/alpha)} for {@code alpha < 1}.
 */
final class Dirichlet {

    private Dirichlet() {}

    /**
     * Draws one probability vector from Dirichlet(alpha, ..., alpha).
     * @param size The number of components.
     * @param alpha The concentration, positive.
     * @param rng The random stream.
     * @return Non-negative proportions summing to 1.
     */
    static double[] sample(int size, double alpha, SplittableRandom rng) {
        double[] out = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            out[i] = gamma(alpha, rng);
            sum += out[i];
        }
        if (sum == 0) {
            // Every draw underflowed (tiny alpha): all the mass goes to one component, as in the limit alpha -> 0.
            out[rng.nextInt(size)] = 1;
            return out;
        }
        for (int i = 0; i < size; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /**
     * Draws from Gamma(shape, 1).
     * @param shape The shape, positive.
     * @param rng The random stream.
     * @return The draw.
     */
    static double gamma(double shape, SplittableRandom rng) {
        if (shape < 1) {
            double u = 1 - rng.nextDouble();
            return gamma(shape + 1, rng) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = normal(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1 - rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double normal(SplittableRandom rng) {
        // Marsaglia's polar method.
        while (true) {
            double a = 2 * rng.nextDouble() - 1;
            double b = 2 * rng.nextDouble() - 1;
            double s = a * a + b * b;
            if (s > 0 && s < 1) {
                return a * Math.sqrt(-2 * Math.log(s) / s);
            }
        }
    }
}
