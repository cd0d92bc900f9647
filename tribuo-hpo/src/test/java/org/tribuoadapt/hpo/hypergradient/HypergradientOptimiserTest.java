package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The network hypergradient optimisers against hand-computed steps of Baydin et al. (2018), Algorithms 2, 4 and 6,
 * their recovery from poor initial learning rates on a quadratic, and their safeguards.
 */
public class HypergradientOptimiserTest {

    private static final float[] A = {1f, 4f};
    private static final float[] START = {1f, -2f};

    /** Curvatures 1..10: the best fixed SGD rate is 2 / (1 + 10) = 0.18; fixed SGD diverges above 0.2. */
    private static float[] spreadCurvature() {
        float[] a = new float[10];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1 + i;
        }
        return a;
    }

    private static float[] ones(int n) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, 1f);
        return out;
    }

    @Test
    public void sgdHdMatchesHandComputedSteps() {
        // g1 = a theta0 = (1, -8); theta1 = theta0 - 0.1 g1 = (0.9, -1.2).
        // g2 = (0.9, -4.8); h = g2 . g1 = 0.9 + 38.4 = 39.3; alpha2 = 0.1 + 0.001 * 39.3 = 0.1393.
        // theta2 = theta1 - 0.1393 g2 = (0.77463, -0.53136).
        try (Quadratic q = new Quadratic(A, START, new SGDHDOptimiserFactory(0.1, 0.001, 0.0, 1.0))) {
            q.step();
            assertArrayEquals(new float[] {0.9f, -1.2f}, q.theta(), 1e-6f);
            assertEquals(0.1, q.learningRate(), 1e-12);
            q.step();
            assertEquals(0.1393, q.learningRate(), 1e-6);
            assertArrayEquals(new float[] {0.77463f, -0.53136f}, q.theta(), 1e-5f);
        }
    }

    @Test
    public void sgdnHdMatchesHandComputedSteps() {
        // Nesterov, mu = 0.9: v1 = g1 = (1, -8); d1 = g1 + 0.9 v1 = (1.9, -15.2); theta1 = (0.81, -0.48).
        // g2 = (0.81, -1.92); h = g2 . d1 = 1.539 + 29.184 = 30.723; alpha2 = 0.130723.
        // v2 = 0.9 v1 + g2 = (1.71, -9.12); d2 = g2 + 0.9 v2 = (2.349, -10.128); theta2 = theta1 - alpha2 d2.
        SGDHDOptimiserFactory factory = new SGDHDOptimiserFactory(new HypergradientSettings(0.1, 0.001, HypergradientRule.ADDITIVE, 0.0, 1.0), new HypergradientSettings.Momentum(0.9, true));
        try (Quadratic q = new Quadratic(A, START, factory)) {
            q.step();
            assertArrayEquals(new float[] {0.81f, -0.48f}, q.theta(), 1e-6f);
            q.step();
            assertEquals(0.130723, q.learningRate(), 1e-6);
            assertArrayEquals(new float[] {0.502931673f, 0.843962544f}, q.theta(), 1e-5f);
        }
    }

    @Test
    public void adamHdMatchesHandComputedSteps() {
        // Step 1: mhat = g1 = (1, -8), vhat = g1^2, d1 = (1, -1) (up to eps); theta1 = (0.99, -1.99).
        // g2 = (0.99, -7.96); h = g2 . d1 = 8.95; alpha2 = 0.01 + 0.001 * 8.95 = 0.01895.
        // m2 = (0.189, -1.516), v2 = (0.0019791, 0.1272976); mhat2 = m2 / 0.19, vhat2 = v2 / 0.001999;
        // theta2 = theta1 - 0.01895 mhat2 / (sqrt(vhat2) + eps) = (0.9710552, -1.9710525).
        try (Quadratic q = new Quadratic(A, START, new AdamHDOptimiserFactory(0.01, 0.001, 0.0, 1.0))) {
            q.step();
            assertArrayEquals(new float[] {0.99f, -1.99f}, q.theta(), 1e-6f);
            q.step();
            assertEquals(0.01895, q.learningRate(), 1e-6);
            assertArrayEquals(new float[] {0.9710552f, -1.9710525f}, q.theta(), 1e-5f);
        }
    }

    @Test
    public void multiplicativeRuleMatchesHandComputedStep() {
        // cos(g2, g1) = 39.3 / (sqrt(23.85) sqrt(65)) = 0.998145; alpha2 = 0.1 (1 + 0.5 * 0.998145) = 0.1499073.
        SGDHDOptimiserFactory factory = new SGDHDOptimiserFactory(new HypergradientSettings(0.1, 0.5, HypergradientRule.MULTIPLICATIVE, 0.0, 1.0), new HypergradientSettings.Momentum(0.0, false));
        try (Quadratic q = new Quadratic(A, START, factory)) {
            q.step();
            q.step();
            assertEquals(0.1 * (1 + 0.5 * 39.3 / (Math.sqrt(23.85) * Math.sqrt(65))), q.learningRate(), 1e-6);
        }
    }

    @Test
    public void adamHdWithZeroBetaIsAdam() {
        float[] a = spreadCurvature();
        try (Quadratic hd = new Quadratic(a, ones(10), new AdamHDOptimiserFactory(0.05, 0.0, 0.0, 1.0));
             Quadratic adam = new Quadratic(a, ones(10), new AdamOptimiserFactory(0.05))) {
            for (int i = 0; i < 20; i++) {
                hd.step();
                adam.step();
            }
            assertArrayEquals(adam.theta(), hd.theta(), 1e-6f);
            assertEquals(0.05, hd.learningRate(), 0.0);
        }
    }

    @Test
    public void sgdHdRecoversFromARateHundredTimesTooSmall() {
        // The best fixed rate is about 0.1-0.18; start at 0.001.
        float[] a = spreadCurvature();
        double fixed;
        try (Quadratic q = new Quadratic(a, ones(10), new SGDHDOptimiserFactory(0.001, 0.0, 0.0, 1.0))) {
            fixed = q.run(200);
        }
        try (Quadratic q = new Quadratic(a, ones(10), new SGDHDOptimiserFactory(0.001, 1e-4, 0.0, 1.0))) {
            double adapted = q.run(200);
            assertTrue(fixed > 0.05, "fixed SGD at 0.001 barely moves: " + fixed);
            assertTrue(adapted < 1e-10, "SGD-HD reached " + adapted);
            assertTrue(q.learningRate() > 0.05 && q.learningRate() < 0.2, "rate " + q.learningRate());
        }
    }

    @Test
    public void multiplicativeSgdHdRecoversFromRatesHundredTimesTooSmallAndTenTimesTooLarge() {
        float[] a = spreadCurvature();
        for (double start : new double[] {0.001, 1.0}) {
            SGDHDOptimiserFactory factory = new SGDHDOptimiserFactory(new HypergradientSettings(start, 0.3, HypergradientRule.MULTIPLICATIVE, 1e-6, 10.0), new HypergradientSettings.Momentum(0.0, false));
            try (Quadratic q = new Quadratic(a, ones(10), factory)) {
                double adapted = q.run(300);
                assertTrue(adapted < 1e-10, "from " + start + " reached " + adapted);
                assertTrue(q.learningRate() < 0.2, "rate from " + start + ": " + q.learningRate());
            }
        }
        // Fixed SGD at 1.0 diverges: lr * max curvature = 10 > 2.
        try (Quadratic q = new Quadratic(a, ones(10), new SGDHDOptimiserFactory(1.0, 0.0, 0.0, 1.0))) {
            assertTrue(q.run(10) > 1e6);
        }
    }

    @Test
    public void adamHdRecoversFromRatesHundredTimesTooSmallAndTenTimesTooLarge() {
        float[] a = spreadCurvature();
        double[] fixed = new double[2];
        double[] adapted = new double[2];
        double[] starts = {1e-4, 0.1};
        for (int i = 0; i < 2; i++) {
            try (Quadratic q = new Quadratic(a, ones(10), new AdamOptimiserFactory(starts[i]))) {
                fixed[i] = q.run(150);
            }
            try (Quadratic q = new Quadratic(a, ones(10), new AdamHDOptimiserFactory(starts[i], 1e-3, 0.0, 10.0))) {
                adapted[i] = q.run(150);
            }
        }
        assertTrue(fixed[0] > 0.5, "Adam at 1e-4 stays near the start: " + fixed[0]);
        assertTrue(adapted[0] < 1e-6, "Adam-HD from 1e-4 reached " + adapted[0]);
        assertTrue(adapted[1] < 1e-6, "Adam-HD from 0.1 reached " + adapted[1]);
        assertTrue(adapted[1] < fixed[1], "Adam-HD " + adapted[1] + " vs Adam " + fixed[1] + " from 0.1");
    }

    @Test
    public void additiveRuleIsClippedAndDivergenceIsReportedNotHidden() {
        // Starting 10x too large, additive SGD-HD cannot recover on this quadratic: the hypergradient grows with the
        // diverging gradient. The rate stays inside the clip, and once the gradient overflows the step fails with an
        // error instead of writing NaN weights.
        float[] a = spreadCurvature();
        try (Quadratic q = new Quadratic(a, ones(10), new SGDHDOptimiserFactory(1.0, 1e-3, 1e-4, 1.0))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                for (int i = 0; i < 200; i++) {
                    q.step();
                    assertTrue(q.learningRate() >= 1e-4 && q.learningRate() <= 1.0);
                }
            });
            assertTrue(e.getMessage().contains("NaN or infinite"), e.getMessage());
            for (float v : q.theta()) {
                assertTrue(Float.isFinite(v), "weights stay finite");
            }
        }
    }

    @Test
    public void badSettingsAreRejected() {
        PropertyException beta = assertThrows(PropertyException.class, () -> new SGDHDOptimiserFactory(0.1, -1e-3, 0.0, 1.0));
        assertTrue(beta.getMessage().contains("beta"), beta.getMessage());
        PropertyException clip = assertThrows(PropertyException.class, () -> new AdamHDOptimiserFactory(0.001, 1e-7, 0.5, 0.1));
        assertTrue(clip.getMessage().contains("must not exceed maxLearningRate"), clip.getMessage());
        PropertyException outside = assertThrows(PropertyException.class, () -> new AdamHDOptimiserFactory(0.5, 1e-7, 0.0, 0.1));
        assertTrue(outside.getMessage().contains("must lie in"), outside.getMessage());
        PropertyException multiplicative = assertThrows(PropertyException.class, () -> new SGDHDOptimiserFactory(new HypergradientSettings(0.1, 1.0, HypergradientRule.MULTIPLICATIVE, 0.0, 1.0), new HypergradientSettings.Momentum(0.0, false)));
        assertTrue(multiplicative.getMessage().contains("< 1"), multiplicative.getMessage());
        assertThrows(PropertyException.class, () -> new SGDHDOptimiserFactory(new HypergradientSettings(0.1, 1e-3, HypergradientRule.ADDITIVE, 0.0, 1.0), new HypergradientSettings.Momentum(0.0, true)));
        assertThrows(PropertyException.class, () -> new SGDHDOptimiserFactory(Double.NaN, 1e-3, 0.0, 1.0));
    }

    @Test
    public void nanGradientIsAClearErrorAndLeavesTheWeights() {
        try (Quadratic q = new Quadratic(new float[] {Float.NaN, 1f}, START, new AdamHDOptimiserFactory(0.01, 1e-7, 0.0, 0.1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, q::step);
            assertTrue(e.getMessage().contains("NaN or infinite") && e.getMessage().contains("step 1"), e.getMessage());
            assertArrayEquals(START, q.theta(), 0f);
        }
    }
}
