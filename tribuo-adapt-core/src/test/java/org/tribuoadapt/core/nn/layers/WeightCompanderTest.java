package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weight compander {@code f(w) = sign(w) ((|w| + beta)^alpha - beta^alpha)} (Cakaj et al. 2023) and its
 * gradient against values worked out by hand, its inverse, and the refusal of impossible parameters.
 */
public class WeightCompanderTest {

    /** Raw weights where the defaults (alpha 0.5, beta 0.01) give round numbers: |w| + beta is 0.16, 1, 0.01. */
    private static final float[] RAW = {0.15f, -0.15f, 0.99f, -0.99f};
    /** sqrt(0.16) - 0.1 = 0.3, sqrt(1) - 0.1 = 0.9. */
    private static final float[] APPLIED = {0.3f, -0.3f, 0.9f, -0.9f};
    /** 0.5 / sqrt(0.16) = 1.25, 0.5 / sqrt(1) = 0.5. */
    private static final float[] SLOPE = {1.25f, 1.25f, 0.5f, 0.5f};

    @TempDir
    Path dir;

    @Test
    public void defaultValuesAndSlopesByHand() {
        WeightCompander f = WeightCompander.defaults();
        assertEquals(0.5, f.alpha());
        assertEquals(0.01, f.beta());
        for (int i = 0; i < RAW.length; i++) {
            assertEquals(APPLIED[i], f.apply(RAW[i]), 1e-6);
            assertEquals(SLOPE[i], f.derivative(RAW[i]), 1e-5);
        }
        assertEquals(0.0, f.apply(0.0));
        // the slope at zero, alpha beta^(alpha - 1) = 0.5 / 0.1: small weights are expanded
        assertEquals(5.0, f.derivative(0.0), 1e-12);
    }

    @Test
    public void otherParametersByHand() {
        // alpha 1/4, beta 1/16: beta^alpha = 1/2
        WeightCompander f = new WeightCompander(0.25, 0.0625);
        assertEquals(0.5, f.apply(0.9375), 1e-12);          // 1^(1/4) - 1/2
        assertEquals(1.5, f.apply(15.9375), 1e-12);         // 16^(1/4) - 1/2
        assertEquals(-1.5, f.apply(-15.9375), 1e-12);
        assertEquals(0.25, f.derivative(0.9375), 1e-12);    // 1/4 * 1^(-3/4)
        assertEquals(0.03125, f.derivative(-15.9375), 1e-12); // 1/4 * 16^(-3/4) = 1/32: large weights are compressed
        assertEquals(2.0, f.derivative(0.0), 1e-12);        // 1/4 * (1/16)^(-3/4) = 1/4 * 8
    }

    @Test
    public void theInverseUndoesTheCompander() {
        WeightCompander f = new WeightCompander(0.3, 0.05);
        for (double w : new double[] {-3.0, -0.4, -1e-3, 0.0, 2e-4, 0.07, 1.5}) {
            assertEquals(w, f.inverse(f.apply(w)), 1e-12 + 1e-12 * Math.abs(w));
        }
    }

    @Test
    public void tensorValuesAndAutogradGradientMatchTheHandValues() {
        WeightCompander f = WeightCompander.defaults();
        try (NDManager manager = DjlRuntime.newManager()) {
            NDArray raw = manager.create(RAW);
            raw.setRequiresGradient(true);
            NDArray applied;
            try (GradientMode on = GradientMode.enabled()) {
                applied = f.apply(raw);
                // d/dw_i of sum_i c_i f(w_i) is c_i f'(w_i)
                NDArray loss = applied.mul(manager.create(new float[] {1f, 2f, -1f, 3f})).sum();
                GradientMode.backward(loss);
            }
            assertArrayEquals(APPLIED, applied.toFloatArray(), 1e-6f);
            float[] expected = {SLOPE[0], 2 * SLOPE[1], -SLOPE[2], 3 * SLOPE[3]};
            assertArrayEquals(expected, raw.getGradient().toFloatArray(), 1e-5f);
        }
    }

    @Test
    public void impossibleParametersAreRefused() {
        for (double alpha : new double[] {0.0, 1.0, -0.5, 1.5, Double.NaN}) {
            PropertyException e = assertThrows(PropertyException.class, () -> new WeightCompander(alpha, 0.01));
            assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        }
        for (double beta : new double[] {0.0, -1.0, Double.POSITIVE_INFINITY, Double.NaN}) {
            PropertyException e = assertThrows(PropertyException.class, () -> new WeightCompander(0.5, beta));
            assertTrue(e.getMessage().contains("beta"), e.getMessage());
        }
    }

    @Test
    public void aConfigurationFileWithAnImpossibleExponentFailsWhenLoaded() throws Exception {
        Path file = dir.resolve("compander.xml");
        Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"
                + "  <component name=\"compander\" type=\"" + WeightCompander.class.getName() + "\">\n"
                + "    <property name=\"alpha\" value=\"1.5\"/>\n  </component>\n</config>\n");
        ConfigurationManager cm = new ConfigurationManager(file.toString());
        PropertyException e = assertThrows(PropertyException.class, () -> cm.lookup("compander"));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        cm.close();
    }

    @Test
    public void configurableRoundTrip() {
        Helpers.testConfigurableRoundtrip(new WeightCompander(0.3, 0.05));
    }
}
