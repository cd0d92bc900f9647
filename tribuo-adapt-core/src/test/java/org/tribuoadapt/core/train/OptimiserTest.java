package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Checks the optimisers step by step against the update rules of {@code torch.optim}, computed by hand in double
 * precision, on the loss {@code sum(c * p^2) / 2} whose gradient is {@code c * p}.
 */
public class OptimiserTest {

    private static final float[] START = {1.0f, -2.0f, 0.5f};
    private static final float[] C = {0.5f, 1.0f, 2.0f};

    private static double[] run(OptimiserFactory factory, int steps) {
        try (NDManager manager = DjlRuntime.newManager()) {
            Parameter p = new Parameter("w", Parameter.Kind.WEIGHT, manager.create(START));
            NDArray c = manager.create(C);
            try (NetworkOptimiser optimiser = factory.create(List.of(p), new TrainingPlan(3, 3, 1, 3, 1, steps))) {
                for (int s = 0; s < steps; s++) {
                    try (NDManager batch = manager.newSubManager(); NDScope scope = new NDScope()) {
                        NDArray loss;
                        try (GradientMode ignored = GradientMode.enabled()) {
                            loss = p.array().square().mul(c).sum().div(2);
                        }
                        GradientMode.backward(loss);
                        optimiser.step();
                        GradientMode.zeroGradient(p.array());
                    }
                }
            }
            float[] out = p.toFloatArray();
            return new double[] {out[0], out[1], out[2]};
        }
    }

    /** Runs one step per entry of {@code rates}, setting the optimiser's rate to that entry before the step. */
    private static double[] runWithRates(OptimiserFactory factory, double[] rates) {
        try (NDManager manager = DjlRuntime.newManager()) {
            Parameter p = new Parameter("w", Parameter.Kind.WEIGHT, manager.create(START));
            NDArray c = manager.create(C);
            try (NetworkOptimiser optimiser = factory.create(List.of(p), new TrainingPlan(3, 3, 1, 3, 1, rates.length))) {
                for (double rate : rates) {
                    optimiser.setLearningRate(rate);
                    assertEquals(rate, optimiser.learningRate());
                    try (NDManager batch = manager.newSubManager(); NDScope scope = new NDScope()) {
                        NDArray loss;
                        try (GradientMode ignored = GradientMode.enabled()) {
                            loss = p.array().square().mul(c).sum().div(2);
                        }
                        GradientMode.backward(loss);
                        optimiser.step();
                        GradientMode.zeroGradient(p.array());
                    }
                }
            }
            float[] out = p.toFloatArray();
            return new double[] {out[0], out[1], out[2]};
        }
    }

    @Test
    public void aScheduledRateIsTheRateLaterStepsUse() {
        double[] rates = {0.2, 0.2, 0.05};
        double mu = 0.9;
        double[] p = {1.0, -2.0, 0.5};
        double[] b = new double[3];
        for (int t = 1; t <= rates.length; t++) {
            for (int i = 0; i < 3; i++) {
                double g = C[i] * p[i];
                b[i] = t == 1 ? g : mu * b[i] + g;
                p[i] -= rates[t - 1] * b[i];
            }
        }
        assertClose(p, runWithRates(new SGDOptimiserFactory(0.2, mu, false, 0.0), rates));

        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] q = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= rates.length; t++) {
            for (int i = 0; i < 3; i++) {
                double g = C[i] * q[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                q[i] -= (rates[t - 1] / (1 - Math.pow(b1, t))) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps);
            }
        }
        assertClose(q, runWithRates(new AdamOptimiserFactory(0.2), rates));

        try (NDManager manager = DjlRuntime.newManager();
             NetworkOptimiser sgd = new SGDOptimiserFactory(0.1, 0, false, 0).create(
                     List.of(new Parameter("w", Parameter.Kind.WEIGHT, manager.create(START))), new TrainingPlan(3, 3, 1, 3, 1, 1))) {
            assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(0));
            assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(Double.NaN));
        }
    }

    private static void assertClose(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    public void sgdWithNesterovMomentumAndWeightDecay() {
        double lr = 0.1, mu = 0.9, wd = 0.01;
        double[] p = {1.0, -2.0, 0.5};
        double[] b = new double[3];
        for (int t = 1; t <= 4; t++) {
            for (int i = 0; i < 3; i++) {
                double g = C[i] * p[i] + wd * p[i];
                b[i] = t == 1 ? g : mu * b[i] + g;
                p[i] -= lr * (g + mu * b[i]);
            }
        }
        assertClose(p, run(new SGDOptimiserFactory(lr, mu, true, wd), 4));
    }

    @Test
    public void plainSgd() {
        double[] p = {1.0, -2.0, 0.5};
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < 3; i++) {
                p[i] -= 0.2 * C[i] * p[i];
            }
        }
        assertClose(p, run(new SGDOptimiserFactory(0.2, 0.0, false, 0.0), 3));
    }

    private static double[] adam(int steps, double lr, double wd, boolean decoupled) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double[] p = {1.0, -2.0, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < 3; i++) {
                double g = C[i] * p[i];
                if (decoupled) {
                    p[i] *= 1 - lr * wd;
                } else {
                    g += wd * p[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denominator;
            }
        }
        return p;
    }

    @Test
    public void adamMatchesTorch() {
        assertClose(adam(5, 0.05, 0.0, false), run(new AdamOptimiserFactory(0.05), 5));
        assertClose(adam(5, 0.05, 0.1, false), run(new AdamOptimiserFactory(0.05, 0.9, 0.999, 1e-8, 0.1, false), 5));
    }

    @Test
    public void adamWDecouplesWeightDecay() {
        assertClose(adam(5, 0.05, 0.1, true), run(new AdamOptimiserFactory(0.05, 0.9, 0.999, 1e-8, 0.1, true), 5));
    }

    @Test
    public void firstAdamStepMovesEachWeightByTheLearningRate() {
        // with bias correction, |m_hat / sqrt(v_hat)| = 1 on the first step, whatever the gradient's scale
        double[] p = run(new AdamOptimiserFactory(0.01), 1);
        for (int i = 0; i < 3; i++) {
            assertEquals(0.01, Math.abs(START[i] - p[i]), 1e-6);
        }
    }
}
