package org.tribuoadapt.hpo.stn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The best-response layer against a hand-computed case, its collapse at fixed hyperparameters, and the
 * hyperparameter gradient of the validation objective against central finite differences.
 */
public class SelfTuningNetworkTest {

    private static StnLinear handLayer(NDManager manager) {
        return new StnLinear(manager, new float[][] {{1, 2}, {3, 4}}, new float[] {0.5f, -1},
                new float[][] {{1, 0}, {0, 1}}, new float[] {1, 2}, new float[][] {{2}, {-1}});
    }

    @Test
    public void forwardMatchesTheHandComputedStructuredForm() {
        try (NDManager manager = DjlRuntime.newManager()) {
            StnLinear layer = handLayer(manager);
            NDArray x = manager.create(new float[] {1, 1, 2, -1}, new Shape(2, 2));
            NDArray lambda = manager.create(new float[] {0.5f, 0}, new Shape(2, 1));
            float[] y = layer.forward(x, lambda).toFloatArray();
            // Example 1: W_e x + b_e = (3.5, 6); W_h x + b_h = (2, 3); V λ = (1, -0.5) -> (5.5, 4.5).
            // Example 2: λ = 0 leaves W_e x + b_e = (0, 2) + (0.5, -1) = (0.5, 1).
            assertArrayEquals(new float[] {5.5f, 4.5f, 0.5f, 1f}, y, 1e-6f);
        }
    }

    @Test
    public void collapseAtFixedHyperparametersIsTheSameLinearMap() {
        try (NDManager manager = DjlRuntime.newManager()) {
            double[][] collapsed = handLayer(manager).collapse(new double[] {0.5});
            assertArrayEquals(new double[] {2, 2}, collapsed[0], 1e-12);
            assertArrayEquals(new double[] {3, 3.5}, collapsed[1], 1e-12);
            assertArrayEquals(new double[] {1.5, -2}, collapsed[2], 1e-12);
        }
    }

    @Test
    public void shapeMismatchIsRejected() {
        try (NDManager manager = DjlRuntime.newManager()) {
            StnLinear layer = handLayer(manager);
            NDArray x = manager.create(new float[] {1, 1, 1}, new Shape(1, 3));
            NDArray lambda = manager.create(new float[] {0.5f}, new Shape(1, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.forward(x, lambda));
            assertTrue(e.getMessage().contains("cannot take inputs"), e.getMessage());
        }
    }

    @Test
    public void validationGradientWithRespectToTheHyperparametersMatchesFiniteDifferences() {
        int n = 6;
        int in = 3;
        int[] hidden = {5, 4};
        SplittableRandom rng = new SplittableRandom(17);
        float[] features = new float[n * in];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rng.nextGaussian();
        }
        long[] labels = {0, 1, 2, 1, 0, 2};
        float[] epsilon = new float[n * 3];
        for (int i = 0; i < epsilon.length; i++) {
            epsilon[i] = (float) rng.nextGaussian();
        }
        float[][] noise = {uniform(rng, n * hidden[0]), uniform(rng, n * hidden[1])};
        try (SelfTuningNetwork network = new SelfTuningNetwork(DjlRuntime.newManager(), in, hidden, 3, 0.3, 0.01,
                0.5, new SplittableRandom(3))) {
            // Larger hypernetwork entries than the 0.01 initialisation, so the best-response path carries weight.
            network.weights().get(4).assign(scaled(network.weights().get(4).array().toFloatArray(), 100));
            float[] analytic;
            float[] analyticScale;
            try (NDManager batch = DjlRuntime.newManager()) {
                try (GradientMode on = GradientMode.enabled()) {
                    NDArray objective = objective(network, batch, features, labels, epsilon, noise);
                    GradientMode.backward(objective);
                }
                analytic = network.hyperparameters().array().getGradient().toFloatArray();
                analyticScale = network.logScale().array().getGradient().toFloatArray();
            }
            float[] u = network.hyperparameters().array().toFloatArray();
            float[] s = network.logScale().array().toFloatArray();
            double h = 1e-2;
            for (int k = 0; k < u.length; k++) {
                double numeric = centralDifference(network, u, s, k, false, h, features, labels, epsilon, noise);
                assertEquals(numeric, analytic[k], 2e-3 + 2e-2 * Math.abs(numeric), "d objective / d u_" + k);
                double numericScale = centralDifference(network, u, s, k, true, h, features, labels, epsilon,
                        noise);
                assertEquals(numericScale, analyticScale[k], 2e-3 + 2e-2 * Math.abs(numericScale),
                        "d objective / d s_" + k);
            }
            assertTrue(Math.abs(analytic[0]) > 1e-4, "the dropout rate gets a gradient: " + analytic[0]);
        }
    }

    private static double centralDifference(SelfTuningNetwork network, float[] u, float[] s, int k, boolean scale,
                                            double h, float[] features, long[] labels, float[] epsilon,
                                            float[][] noise) {
        double[] values = new double[2];
        for (int side = 0; side < 2; side++) {
            float[] shifted = (scale ? s : u).clone();
            shifted[k] += (float) (side == 0 ? h : -h);
            (scale ? network.logScale() : network.hyperparameters()).assign(shifted);
            try (NDManager batch = DjlRuntime.newManager(); GradientMode off = GradientMode.disabled()) {
                values[side] = objective(network, batch, features, labels, epsilon, noise).getFloat();
            }
        }
        (scale ? network.logScale() : network.hyperparameters()).assign(scale ? s : u);
        return (values[0] - values[1]) / (2 * h);
    }

    private static NDArray objective(SelfTuningNetwork network, NDManager batch, float[] features, long[] labels,
                                     float[] epsilon, float[][] noise) {
        int n = labels.length;
        NDArray x = batch.create(features, new Shape(n, features.length / n));
        NDArray y = batch.create(labels);
        return network.validationObjective(x, y, network.perturbed(batch, epsilon, n), noise, 0.5, 0.001);
    }

    private static float[] uniform(SplittableRandom rng, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (0.05 + 0.9 * rng.nextDouble());
        }
        return values;
    }

    private static float[] scaled(float[] values, float factor) {
        float[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= factor;
        }
        return out;
    }
}
