package org.tribuoadapt.core.nn;

import java.util.SplittableRandom;

/**
 * Initial-value distributions, drawn in Java from a seeded stream so that the same seed gives the same weights
 * whatever the native library does.
 */
public final class Initializers {

    private Initializers() {}

    /**
     * PyTorch's default for Linear and Conv2d weights and biases: kaiming-uniform with {@code a = sqrt(5)}, which is
     * {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} (He et al. 2015, as used by {@code nn.Linear.reset_parameters}).
     * @param count How many values.
     * @param fanIn The fan-in of the layer.
     * @param rng The random stream.
     * @return The values.
     */
    public static float[] kaimingUniform(int count, long fanIn, SplittableRandom rng) {
        return uniform(count, 1.0 / Math.sqrt(fanIn), rng);
    }

    /**
     * Values drawn from {@code U(-bound, bound)}.
     * @param count How many values.
     * @param bound The half-width.
     * @param rng The random stream.
     * @return The values.
     */
    public static float[] uniform(int count, double bound, SplittableRandom rng) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return out;
    }

    /**
     * Values drawn from {@code N(0, std^2)}.
     * @param count How many values.
     * @param std The standard deviation.
     * @param rng The random stream.
     * @return The values.
     */
    public static float[] normal(int count, double std, SplittableRandom rng) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) (gaussian(rng) * std);
        }
        return out;
    }

    /**
     * A constant-filled array.
     * @param count How many values.
     * @param value The value.
     * @return The values.
     */
    public static float[] constant(int count, float value) {
        float[] out = new float[count];
        java.util.Arrays.fill(out, value);
        return out;
    }

    /**
     * A standard normal draw by the Box-Muller transform (SplittableRandom has no Gaussian in Java 17).
     * @param rng The random stream.
     * @return A draw from N(0, 1).
     */
    public static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
