package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ProbabilityMixingTest {

    private static double[] softmax(double[] z, double scale) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, scale * v);
        }
        double sum = 0;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = Math.exp(scale * z[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < z.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    @Test
    public void mixesProbabilitiesAfterTheTemperatures() {
        double[] g = {1, 0, -1};
        double[] h = {0, 2, 1};
        double alpha = 0.25;
        double[] ps = softmax(g, 1.0);
        double[] pr = softmax(h, 2.0);
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray standard = m.create(new float[] {1, 0, -1}, new Shape(1, 3));
            NDArray robust = m.create(new float[] {0, 2, 1}, new Shape(1, 3));
            float[] fixed = ProbabilityMixing.logMix(standard, robust, alpha, 1.0, 2.0).exp().toFloatArray();
            float[] viaGamma = ProbabilityMixing.logMix(standard, robust, m.create(new float[] {(float) Math.log(alpha / (1 - alpha))}),
                    1.0, 2.0).exp().toFloatArray();
            for (int c = 0; c < 3; c++) {
                double expected = (1 - alpha) * ps[c] + alpha * pr[c];
                assertEquals(expected, fixed[c], 1e-6);
                assertEquals(expected, viaGamma[c], 1e-6);
            }
            assertEquals(ps[1], ProbabilityMixing.logMix(standard, robust, 0.0, 1.0, 2.0).exp().toFloatArray()[1], 1e-6);
            assertEquals(pr[1], ProbabilityMixing.logMix(standard, robust, 1.0, 1.0, 2.0).exp().toFloatArray()[1], 1e-6);
        }
    }

    @Test
    public void extremeGammasStayFiniteWithFiniteGradients() {
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray standard = m.create(new float[] {5, -5, 0, 30, -30, 0}, new Shape(2, 3));
            NDArray robust = m.create(new float[] {-5, 5, 0, 0, 0, 0}, new Shape(2, 3));
            NDArray gamma = m.create(new float[] {-200, 200});
            gamma.setRequiresGradient(true);
            NDArray mixed;
            try (GradientMode on = GradientMode.enabled()) {
                mixed = ProbabilityMixing.logMix(standard, robust, gamma, 1.0, 1.0);
                GradientMode.backward(mixed.sum());
            }
            for (float v : mixed.toFloatArray()) {
                assertTrue(Float.isFinite(v), "log-probability " + v);
            }
            for (float v : gamma.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(v), "gradient " + v);
            }
            float[] first = mixed.exp().toFloatArray();
            double[] ps = softmax(new double[] {5, -5, 0}, 1.0);
            assertEquals(ps[0], first[0], 1e-6);
        }
    }
}
