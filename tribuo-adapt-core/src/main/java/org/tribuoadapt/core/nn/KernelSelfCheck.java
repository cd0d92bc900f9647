package org.tribuoadapt.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.Device;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The start-up check of oneDNN's CPU kernels behind {@link Kernels}: small convolutions (forward, data gradient,
 * weight gradient and bias gradient) and GELU (forward and gradient), each run {@value #REPEATS} times through
 * PyTorch's own dispatch, must give bit-identical, finite results that match a double-precision reference computed
 * here in Java.
 * <p>
 * The shapes are the ones that go wrong where oneDNN's AVX-512 convolutions misbehave: one input channel, and channel
 * counts below oneDNN's 16-channel block, whose padded lanes must never reach a result (see docs/troubleshooting.md).
 * The check takes a few tens of milliseconds. A failure it does not see can still happen later; the portable path
 * can then be forced with {@code -Dtribuoadapt.kernels=portable}.
 */
public final class KernelSelfCheck {

    /** Runs of each operation that must agree bit for bit. */
    static final int REPEATS = 3;
    private static final int BATCH = 16;
    private static final double ABSOLUTE_TOLERANCE = 1e-4;
    private static final double RELATIVE_TOLERANCE = 1e-4;
    /** in channels, out channels, input side, kernel, stride, padding. */
    private static final int[][] CONVOLUTIONS = {{1, 8, 12, 3, 1, 1}, {8, 4, 9, 3, 2, 1}, {6, 20, 7, 1, 1, 0}};

    private KernelSelfCheck() {}

    /**
     * Runs the check on PyTorch's own dispatch.
     * @return Whether oneDNN passed and what was checked or what failed.
     */
    public static Outcome run() {
        try (NDManager manager = Engine.getEngine(DjlRuntime.ENGINE_NAME).newBaseManager(Device.cpu());
             GradientMode on = GradientMode.enabled()) {
            SplittableRandom rng = new SplittableRandom(20261203L);
            for (int[] c : CONVOLUTIONS) {
                String failure = checkConvolution(manager, rng, c[0], c[1], c[2], c[3], c[4], c[5]);
                if (failure != null) {
                    return new Outcome(false, failure);
                }
            }
            String failure = checkGelu(manager, rng);
            if (failure != null) {
                return new Outcome(false, failure);
            }
        }
        return new Outcome(true, "oneDNN convolutions and GELU passed the start-up check (" + REPEATS
                + " identical runs matching a double-precision reference)");
    }

    private static String checkConvolution(NDManager manager, SplittableRandom rng, int in, int out, int side,
                                           int kernel, int stride, int padding) {
        String name = "convolution " + in + "->" + out + " kernel " + kernel + " stride " + stride + " on " + side + "x"
                + side;
        int outSide = (side + 2 * padding - kernel) / stride + 1;
        float[] x = uniform(rng, BATCH * in * side * side);
        float[] w = uniform(rng, out * in * kernel * kernel);
        float[] b = uniform(rng, out);
        float[] g = uniform(rng, BATCH * out * outSide * outSide);
        float[][] first = null;
        for (int r = 0; r < REPEATS; r++) {
            try (NDManager run = manager.newSubManager()) {
                NDArray input = leaf(run, x, new Shape(BATCH, in, side, side));
                NDArray weight = leaf(run, w, new Shape(out, in, kernel, kernel));
                NDArray bias = leaf(run, b, new Shape(out));
                NDArray result = input.getNDArrayInternal().convolution(input, weight, bias, new Shape(stride, stride),
                        new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
                GradientMode.backward(result.mul(run.create(g, result.getShape())).sum());
                float[][] values = {result.toFloatArray(), input.getGradient().toFloatArray(),
                        weight.getGradient().toFloatArray(), bias.getGradient().toFloatArray()};
                if (first == null) {
                    first = values;
                } else if (!Arrays.deepEquals(first, values)) {
                    return name + ": run " + (r + 1) + " differs from run 1";
                }
            }
        }
        double[][] reference = referenceConvolution(x, w, b, g, in, out, side, kernel, stride, padding, outSide);
        String[] parts = {"forward", "input gradient", "weight gradient", "bias gradient"};
        for (int p = 0; p < parts.length; p++) {
            String mismatch = compare(first[p], reference[p]);
            if (mismatch != null) {
                return name + " " + parts[p] + ": " + mismatch;
            }
        }
        return null;
    }

    private static String checkGelu(NDManager manager, SplittableRandom rng) {
        int n = BATCH * 40;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (8 * rng.nextDouble() - 4);
        }
        float[] g = uniform(rng, n);
        float[][] first = null;
        for (int r = 0; r < REPEATS; r++) {
            try (NDManager run = manager.newSubManager()) {
                NDArray input = leaf(run, x, new Shape(BATCH, 40));
                NDArray result = input.getNDArrayInternal().gelu();
                GradientMode.backward(result.mul(run.create(g, result.getShape())).sum());
                float[][] values = {result.toFloatArray(), input.getGradient().toFloatArray()};
                if (first == null) {
                    first = values;
                } else if (!Arrays.deepEquals(first, values)) {
                    return "GELU: run " + (r + 1) + " differs from run 1";
                }
            }
        }
        double[] forward = new double[n];
        double[] gradient = new double[n];
        for (int i = 0; i < n; i++) {
            double cdf = 0.5 * (1 + erf(x[i] / Math.sqrt(2)));
            forward[i] = x[i] * cdf;
            gradient[i] = g[i] * (cdf + x[i] * Math.exp(-0.5 * x[i] * x[i]) / Math.sqrt(2 * Math.PI));
        }
        String mismatch = compare(first[0], forward);
        if (mismatch == null) {
            mismatch = compare(first[1], gradient);
        }
        return mismatch == null ? null : "GELU: " + mismatch;
    }

    private static NDArray leaf(NDManager manager, float[] values, Shape shape) {
        NDArray array = manager.create(values, shape);
        array.setRequiresGradient(true);
        return array;
    }

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return values;
    }

    /** Forward, input, weight and bias gradients of {@code sum(conv(x, w, b) * g)}, in double precision. */
    private static double[][] referenceConvolution(float[] x, float[] w, float[] b, float[] g, int in, int out, int side,
                                                   int kernel, int stride, int padding, int outSide) {
        double[] y = new double[g.length];
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] db = new double[b.length];
        for (int n = 0; n < BATCH; n++) {
            for (int o = 0; o < out; o++) {
                for (int oy = 0; oy < outSide; oy++) {
                    for (int ox = 0; ox < outSide; ox++) {
                        int yIndex = ((n * out + o) * outSide + oy) * outSide + ox;
                        double sum = b[o];
                        for (int c = 0; c < in; c++) {
                            for (int i = 0; i < kernel; i++) {
                                int iy = oy * stride + i - padding;
                                for (int j = 0; j < kernel; j++) {
                                    int ix = ox * stride + j - padding;
                                    if (iy >= 0 && iy < side && ix >= 0 && ix < side) {
                                        int xIndex = ((n * in + c) * side + iy) * side + ix;
                                        int wIndex = ((o * in + c) * kernel + i) * kernel + j;
                                        sum += w[wIndex] * (double) x[xIndex];
                                        dx[xIndex] += g[yIndex] * (double) w[wIndex];
                                        dw[wIndex] += g[yIndex] * (double) x[xIndex];
                                    }
                                }
                            }
                        }
                        y[yIndex] = sum;
                        db[o] += g[yIndex];
                    }
                }
            }
        }
        return new double[][] {y, dx, dw, db};
    }

    private static String compare(float[] actual, double[] expected) {
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]);
            if (!(error <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(expected[i]))) {
                return "value " + i + " is " + actual[i] + ", the double-precision reference is " + expected[i];
            }
        }
        return null;
    }

    /**
     * The error function, from the Chebyshev fit of {@code erfc} in Press et al., Numerical Recipes (2nd ed., 6.2),
     * whose fractional error is below 1.2e-7: well inside the check's tolerance.
     */
    static double erf(double z) {
        double t = 1 / (1 + 0.5 * Math.abs(z));
        double tau = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return z >= 0 ? 1 - tau : tau - 1;
    }

    /**
     * What the check found.
     * @param passed Whether oneDNN's kernels passed.
     * @param description What was checked, or the first failure.
     */
    public record Outcome(boolean passed, String description) {}
}
