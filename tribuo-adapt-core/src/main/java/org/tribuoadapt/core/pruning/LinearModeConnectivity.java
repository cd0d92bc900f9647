package org.tribuoadapt.core.pruning;

import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.Evaluation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear mode connectivity, the connectivity metric of the three-regime model of pruning (Zhou, Yang, Chang and
 * Mahoney, ICML 2023, following Yang et al. 2021, "Taxonomizing local versus global structure in neural network loss
 * landscapes"). Two networks {@code w0}, {@code w1} of one architecture are joined by the straight line
 * {@code w(t) = (1 - t) w0 + t w1}; a metric {@code E} (training error, as in the authors' phase plots, or loss) is
 * measured at {@code points} evenly spaced {@code t} in [0, 1] (11 in the paper), and
 * <pre>
 *     mc = (E(w0) + E(w1)) / 2 - E(w(t*)),   t* = argmax_t |(E(w0) + E(w1)) / 2 - E(w(t))|.
 * </pre>
 * So {@code mc < 0} is a barrier on the path (poorly connected minima, the paper's Regime I), {@code mc = 0} a flat
 * path and {@code mc > 0} a path that dips below its ends. The first of several equal extremes is taken.
 * <p>
 * Every floating-point tensor is interpolated, BatchNorm's running statistics included; integer buffers (BatchNorm's
 * batch count) are taken from {@code w0}. The authors recompute BatchNorm statistics at every point of the path
 * instead; the two agree exactly for networks without BatchNorm.
 */
public final class LinearModeConnectivity {

    /** What is measured along the path. */
    public enum PathMetric {
        /** The error rate, {@code 1 - accuracy} (the authors' phase plots use the training error). */
        ERROR,
        /** The mean cross-entropy. */
        LOSS
    }

    /**
     * The metric along the path and the mode connectivity it gives.
     * @param t The interpolation coefficients, from 0 to 1.
     * @param values The metric at each coefficient.
     * @param peak The index of {@code t*}.
     * @param modeConnectivity {@code mc}.
     */
    public record Curve(double[] t, double[] values, int peak, double modeConnectivity) {}

    private LinearModeConnectivity() {}

    /**
     * The mode connectivity of a metric measured along a path.
     * @param values The metric at evenly spaced points from one end (first) to the other (last).
     * @return {@code mc} as defined above.
     * @throws IllegalArgumentException if there are fewer than two values or one is NaN or infinite.
     */
    public static double of(double[] values) {
        int peak = peak(values);
        return (values[0] + values[values.length - 1]) / 2 - values[peak];
    }

    /**
     * The index {@code t*} of the point farthest from the mean of the ends.
     * @param values The metric along the path.
     * @return The first index of the largest absolute difference.
     * @throws IllegalArgumentException if there are fewer than two values or one is NaN or infinite.
     */
    public static int peak(double[] values) {
        if (values.length < 2) {
            throw new IllegalArgumentException("a path needs at least its two ends, found " + values.length + " values");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("the metric at point " + i + " of the path is " + values[i]);
            }
        }
        double ends = (values[0] + values[values.length - 1]) / 2;
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (Math.abs(ends - values[i]) > Math.abs(ends - values[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Measures the metric along the straight line between two models and its mode connectivity.
     * @param from The network at {@code t = 0}.
     * @param to The network at {@code t = 1}, of the same architecture.
     * @param data The examples the metric is measured on (the training data in the paper).
     * @param points The number of evenly spaced points, at least 2.
     * @param metric Error or loss.
     * @return The curve.
     * @throws IllegalArgumentException if the models' tensors differ in names or shapes, or points is below 2.
     */
    public static Curve linearPath(NetworkModel from, NetworkModel to, TensorDataset data, int points, PathMetric metric) {
        if (points < 2) {
            throw new IllegalArgumentException("a path needs at least 2 points, found " + points);
        }
        Map<String, TensorData> a = from.stateDict();
        Map<String, TensorData> b = to.stateDict();
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalArgumentException("the two networks have different tensors: " + a.keySet() + " and " + b.keySet());
        }
        double[] t = new double[points];
        double[] values = new double[points];
        try (Network network = from.newNetwork()) {
            for (int i = 0; i < points; i++) {
                t[i] = (double) i / (points - 1);
                network.loadStateDict(interpolate(a, b, t[i]), true);
                double[] lossAndAccuracy = Evaluation.lossAndAccuracy(network, data);
                values[i] = metric == PathMetric.ERROR ? 1 - lossAndAccuracy[1] : lossAndAccuracy[0];
            }
        }
        int peak = peak(values);
        return new Curve(t, values, peak, of(values));
    }

    private static Map<String, TensorData> interpolate(Map<String, TensorData> a, Map<String, TensorData> b, double t) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : a.entrySet()) {
            TensorData x = e.getValue();
            TensorData y = b.get(e.getKey());
            if (!Arrays.equals(x.shape(), y.shape())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + Arrays.toString(x.shape())
                        + " in one network and " + Arrays.toString(y.shape()) + " in the other");
            }
            if (!x.dtype().isFloatingPoint()) {
                out.put(e.getKey(), x);
                continue;
            }
            float[] xs = x.toFloatArray();
            float[] ys = y.toFloatArray();
            float[] mixed = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                mixed[i] = (float) ((1 - t) * xs[i] + t * ys[i]);
            }
            out.put(e.getKey(), TensorData.ofFloats(x.shape(), mixed));
        }
        return out;
    }
}
