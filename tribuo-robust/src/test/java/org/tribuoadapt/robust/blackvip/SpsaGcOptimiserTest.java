package org.tribuoadapt.robust.blackvip;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.testing.TestSeeds;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class SpsaGcOptimiserTest {

    @Test
    public void theSchedulesAreTheAuthors() {
        SpsaGcOptimiser spsa = new SpsaGcOptimiser();
        for (int k : new int[] {1, 2, 10, 1000}) {
            assertEquals(0.01 / Math.pow(k + 1.0, 0.4), spsa.gainAt(k), 1e-15);
            assertEquals(0.01 / Math.pow(k, 0.1), spsa.perturbationAt(k), 1e-15);
        }
        assertEquals(5, spsa.samples());
    }

    @Test
    public void aTwoSidedEstimateOfAOneDimensionalQuadraticIsItsDerivative() {
        // the central difference of a quadratic is exact, and in one dimension 1 / Delta cancels Delta
        ToDoubleFunction<float[]> quadratic = w -> 3.0 * (w[0] - 1.0) * (w[0] - 1.0);
        for (SpsaGcOptimiser.Perturbation kind : SpsaGcOptimiser.Perturbation.values()) {
            SpsaGcOptimiser spsa = new SpsaGcOptimiser(0.1, 1.0, 0.4, 0.25, 0.1, 0.9, 3, kind, true);
            SpsaGcOptimiser.Estimate estimate = spsa.estimate(new float[] {2.5f}, quadratic, 0.25,
                    new SplittableRandom(TestSeeds.of(1)));
            assertEquals(9.0, estimate.gradient()[0], 1e-5);
        }
    }

    @Test
    public void theEstimateAgreesWithTheGradientInExpectation() {
        int d = 12;
        double[] curvature = new double[d];
        double[] target = new double[d];
        float[] w = new float[d];
        SplittableRandom setup = new SplittableRandom(TestSeeds.of(5));
        for (int i = 0; i < d; i++) {
            curvature[i] = 0.5 + setup.nextDouble();
            target[i] = setup.nextDouble() * 2 - 1;
            w[i] = (float) (setup.nextDouble() * 2 - 1);
        }
        ToDoubleFunction<float[]> loss = v -> {
            double sum = 0;
            for (int i = 0; i < d; i++) {
                sum += curvature[i] * (v[i] - target[i]) * (v[i] - target[i]);
            }
            return sum;
        };
        double[] truth = new double[d];
        double norm = 0;
        for (int i = 0; i < d; i++) {
            truth[i] = 2 * curvature[i] * (w[i] - target[i]);
            norm += truth[i] * truth[i];
        }
        SpsaGcOptimiser spsa = new SpsaGcOptimiser(0.1, 1.0, 0.4, 0.01, 0.1, 0.9, 1,
                SpsaGcOptimiser.Perturbation.RADEMACHER, true);
        SplittableRandom rng = new SplittableRandom(TestSeeds.of(6));
        int draws = 4000;
        double[] mean = new double[d];
        double aligned = 0;
        for (int t = 0; t < draws; t++) {
            double[] g = spsa.estimate(w, loss, 0.01, rng).gradient();
            double dot = 0;
            for (int i = 0; i < d; i++) {
                mean[i] += g[i] / draws;
                dot += g[i] * truth[i];
            }
            aligned += dot / draws;
        }
        // each estimate is g_i + sum_{j != i} g_j Delta_j / Delta_i: unbiased, with variance |g|^2 - g_i^2 per draw
        double tolerance = 5 * Math.sqrt(norm / draws);
        for (int i = 0; i < d; i++) {
            assertEquals(truth[i], mean[i], tolerance, "component " + i);
            if (Math.abs(truth[i]) > tolerance) {
                assertEquals(Math.signum(truth[i]), Math.signum(mean[i]), "sign of component " + i);
            }
        }
        // E[g_hat . g] = |g|^2 for Rademacher directions
        assertEquals(norm, aligned, 0.1 * norm);
    }

    @Test
    public void theGradientCorrectionIsALookAheadMomentum() {
        // a linear loss 2w: every direction estimates its gradient 2 exactly
        ToDoubleFunction<float[]> linear = w -> 2.0 * w[0];
        double beta = 0.9;
        SpsaGcOptimiser corrected = new SpsaGcOptimiser(0.5, 1.0, 0.4, 0.1, 0.1, beta, 2,
                SpsaGcOptimiser.Perturbation.RADEMACHER, true);
        float[] w = {1f};
        SpsaGcOptimiser.Run run = corrected.start(1);
        SplittableRandom rng = new SplittableRandom(TestSeeds.of(2));
        run.step(w, linear, rng);
        double expected = 1 - corrected.gainAt(1) * (2 + beta * 2);              // m_1 = g
        assertEquals(expected, w[0], 1e-6);
        run.step(w, linear, rng);
        double m2 = beta * 2 + 2;
        expected -= corrected.gainAt(2) * (2 + beta * m2);
        assertEquals(expected, w[0], 1e-6);
        assertEquals(2, run.steps());

        SpsaGcOptimiser plain = new SpsaGcOptimiser(0.5, 1.0, 0.4, 0.1, 0.1, beta, 2,
                SpsaGcOptimiser.Perturbation.RADEMACHER, false);
        float[] v = {1f};
        SpsaGcOptimiser.Run plainRun = plain.start(1);
        plainRun.step(v, linear, rng);
        plainRun.step(v, linear, rng);
        assertEquals(1 - plain.gainAt(1) * 2 - plain.gainAt(2) * 2, v[0], 1e-6);
    }

    @Test
    public void aMinimisationOfAQuadraticConverges() {
        ToDoubleFunction<float[]> loss = w -> (w[0] - 1) * (w[0] - 1) + 2 * (w[1] + 0.5) * (w[1] + 0.5);
        SpsaGcOptimiser spsa = new SpsaGcOptimiser(0.05, 0.01, 1);
        float[] w = {0f, 0f};
        SpsaGcOptimiser.Run run = spsa.start(2);
        SplittableRandom rng = new SplittableRandom(TestSeeds.of(3));
        for (int k = 0; k < 300; k++) {
            run.step(w, loss, rng);
        }
        assertTrue(loss.applyAsDouble(w) < 0.01, "loss " + loss.applyAsDouble(w));
    }

    @Test
    public void impossibleSettingsAndNonFiniteLossesAreRefused() {
        assertThrows(PropertyException.class, () -> new SpsaGcOptimiser(0, 0.01, 5));
        assertThrows(PropertyException.class, () -> new SpsaGcOptimiser(Double.NaN, 0.01, 5));
        assertThrows(PropertyException.class, () -> new SpsaGcOptimiser(0.01, -1, 5));
        PropertyException samples = assertThrows(PropertyException.class, () -> new SpsaGcOptimiser(0.01, 0.01, 0));
        assertTrue(samples.getMessage().contains("samples"), samples.getMessage());
        assertThrows(PropertyException.class, () -> new SpsaGcOptimiser(0.01, 1, 0.4, 0.01, 0.1, 1.0, 5,
                SpsaGcOptimiser.Perturbation.RADEMACHER, true));
        SpsaGcOptimiser spsa = new SpsaGcOptimiser();
        IllegalStateException nan = assertThrows(IllegalStateException.class,
                () -> spsa.start(1).step(new float[] {0f}, w -> Double.NaN, new SplittableRandom(1)));
        assertTrue(nan.getMessage().contains("finite"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> spsa.start(2).step(new float[] {0f}, w -> 0, new SplittableRandom(1)));
    }
}
