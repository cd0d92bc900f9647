package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.Tensor;
import org.tribuo.math.optimisers.Adam;
import org.tribuo.test.Helpers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Tribuo optimisers against the same hand-computed steps as the network versions (in double precision), the
 * Adam correction, recovery on a quadratic, copies, configuration round trips and bad input.
 */
public class TribuoOptimiserTest {

    private static final double[] A = {1, 4};
    private static final double[] START = {1, -2};

    private static double[] spread() {
        double[] a = new double[10];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1 + i;
        }
        return a;
    }

    private static double[] ones() {
        double[] out = new double[10];
        java.util.Arrays.fill(out, 1.0);
        return out;
    }

    @Test
    public void sgdHdMatchesHandComputedSteps() {
        SGDHD sgd = new SGDHD(0.1, 0.001, 0.0, 1.0);
        TensorQuadratic q = new TensorQuadratic(A, START, sgd);
        q.step();
        assertArrayEquals(new double[] {0.9, -1.2}, q.theta(), 1e-12);
        q.step();
        assertEquals(0.1393, sgd.currentLearningRate(), 1e-12);
        assertArrayEquals(new double[] {0.77463, -0.53136}, q.theta(), 1e-12);
    }

    @Test
    public void sgdnHdMatchesHandComputedSteps() {
        SGDHD sgd = new SGDHD(new HypergradientSettings(0.1, 0.001, HypergradientRule.ADDITIVE, 0.0, 1.0), new HypergradientSettings.Momentum(0.9, true));
        TensorQuadratic q = new TensorQuadratic(A, START, sgd);
        q.step();
        assertArrayEquals(new double[] {0.81, -0.48}, q.theta(), 1e-12);
        q.step();
        assertEquals(0.130723, sgd.currentLearningRate(), 1e-12);
        assertArrayEquals(new double[] {0.502931673, 0.843962544}, q.theta(), 1e-9);
    }

    @Test
    public void adamHdMatchesHandComputedSteps() {
        AdamHD adam = new AdamHD(0.01, 0.001, 0.0, 1.0);
        TensorQuadratic q = new TensorQuadratic(A, START, adam);
        q.step();
        assertArrayEquals(new double[] {0.99, -1.99}, q.theta(), 1e-9);
        q.step();
        assertEquals(0.01895, adam.currentLearningRate(), 1e-9);
        assertArrayEquals(new double[] {0.9710552, -1.97105254}, q.theta(), 1e-7);
    }

    @Test
    public void correctedAdamDividesWhereTribuoAdamMultiplies() {
        // Step 1 of Adam moves every coordinate by lr * g / (|g| + eps), about lr, whatever the gradient's size.
        double lr = 0.01;
        double[] correct = new TensorQuadratic(A, START, new CorrectedAdam(lr)).step();
        assertArrayEquals(new double[] {-lr, lr}, correct, 1e-9);
        // Tribuo 4.3.2 multiplies by sqrt(v) + eps: its first update is lr sqrt(1 - b2) / (1 - b1) * m1 * (sqrt(v1) + eps)
        // with m1 = 0.1 u and v1 = 0.001 u^2, where u = -g = (-1, 8): the step grows with the square of the gradient.
        double[] tribuo = new TensorQuadratic(A, START, new Adam(lr, 1e-6)).step();
        double[] u = {-1, 8};
        for (int i = 0; i < 2; i++) {
            double expected = lr * Math.sqrt(0.001) / 0.1 * (0.1 * u[i]) * (Math.sqrt(0.001 * u[i] * u[i]) + 1e-6);
            assertEquals(expected, tribuo[i], 1e-12);
        }
        assertTrue(Math.abs(tribuo[1] / tribuo[0]) > 60, "Tribuo's Adam scales with |g|^2");
    }

    @Test
    public void correctedAdamIsAdamHdWithZeroBeta() {
        TensorQuadratic adam = new TensorQuadratic(spread(), ones(), new CorrectedAdam(0.05));
        TensorQuadratic hd = new TensorQuadratic(spread(), ones(), new AdamHD(0.05, 0.0, 0.0, 1.0));
        for (int i = 0; i < 25; i++) {
            adam.step();
            hd.step();
        }
        assertArrayEquals(adam.theta(), hd.theta(), 1e-12);
    }

    @Test
    public void hypergradientRecoversFromPoorRates() {
        assertTrue(new TensorQuadratic(spread(), ones(), new SGDHD(0.001, 0.0, 0.0, 1.0)).run(200) > 0.05);
        assertTrue(new TensorQuadratic(spread(), ones(), new SGDHD(0.001, 1e-4, 0.0, 1.0)).run(200) < 1e-12);
        for (double start : new double[] {0.001, 1.0}) {
            SGDHD multiplicative = new SGDHD(new HypergradientSettings(start, 0.3, HypergradientRule.MULTIPLICATIVE, 1e-6, 10.0), new HypergradientSettings.Momentum(0.0, false));
            assertTrue(new TensorQuadratic(spread(), ones(), multiplicative).run(300) < 1e-12, "multiplicative from " + start);
        }
        for (double start : new double[] {1e-4, 0.1}) {
            assertTrue(new TensorQuadratic(spread(), ones(), new AdamHD(start, 1e-3, 0.0, 10.0)).run(150) < 1e-6, "Adam-HD from " + start);
        }
    }

    @Test
    public void copiesKeepTheConfigurationAndNotTheState() {
        AdamHD adam = new AdamHD(new HypergradientSettings(0.01, 0.001, HypergradientRule.MULTIPLICATIVE, 1e-5, 0.5), new HypergradientSettings.Adam(0.95, 0.99, 1e-7));
        new TensorQuadratic(A, START, adam).run(5);
        AdamHD copy = adam.copy();
        assertEquals(adam.getProvenance(), copy.getProvenance());
        assertEquals(0.01, copy.currentLearningRate(), 0.0);
        SGDHD sgd = new SGDHD(new HypergradientSettings(0.1, 0.001, HypergradientRule.ADDITIVE, 0.0, 2.0), new HypergradientSettings.Momentum(0.5, true));
        assertEquals(sgd.getProvenance(), sgd.copy().getProvenance());
        CorrectedAdam corrected = new CorrectedAdam(0.02, new HypergradientSettings.Adam(0.8, 0.99, 1e-6));
        assertEquals(corrected.getProvenance(), corrected.copy().getProvenance());
        // reset then initialise starts again from the initial rate
        adam.reset();
        TensorQuadratic again = new TensorQuadratic(A, START, adam);
        again.step();
        assertEquals(0.01, adam.currentLearningRate(), 0.0);
    }

    @Test
    public void configurationRoundTrips() {
        Helpers.testConfigurableRoundtrip(new SGDHD(new HypergradientSettings(0.1, 0.001, HypergradientRule.MULTIPLICATIVE, 0.001, 2.0), new HypergradientSettings.Momentum(0.9, true)));
        Helpers.testConfigurableRoundtrip(new AdamHD(0.01, 1e-6, 0.0, 0.5));
        Helpers.testConfigurableRoundtrip(new CorrectedAdam(0.01));
    }

    @Test
    public void badInputIsRejected() {
        PropertyException beta = assertThrows(PropertyException.class, () -> new AdamHD(0.01, -1.0, 0.0, 1.0));
        assertTrue(beta.getMessage().contains("beta"), beta.getMessage());
        PropertyException clip = assertThrows(PropertyException.class, () -> new SGDHD(0.1, 0.001, 1.0, 0.5));
        assertTrue(clip.getMessage().contains("must not exceed maxLearningRate"), clip.getMessage());
        assertThrows(PropertyException.class, () -> new CorrectedAdam(0.01, new HypergradientSettings.Adam(1.0, 0.999, 1e-8)));
        assertThrows(PropertyException.class, () -> new CorrectedAdam(-0.01));

        SGDHD uninitialised = new SGDHD(0.1, 0.001, 0.0, 1.0);
        IllegalStateException early = assertThrows(IllegalStateException.class,
                () -> uninitialised.step(new Tensor[] {new DenseMatrix(1, 2)}, 1.0));
        assertTrue(early.getMessage().contains("initialise"), early.getMessage());

        AdamHD adam = new AdamHD(0.01, 0.001, 0.0, 1.0);
        adam.initialise(new LinearParameters(2, 1));
        DenseMatrix nan = DenseMatrix.createDenseMatrix(new double[][] {{Double.NaN, 1.0}});
        IllegalStateException diverged = assertThrows(IllegalStateException.class, () -> adam.step(new Tensor[] {nan}, 1.0));
        assertTrue(diverged.getMessage().contains("NaN or infinite"), diverged.getMessage());
    }
}
