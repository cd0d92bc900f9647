package org.tribuoadapt.core.pruning;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ThreeRegimeModelTest {

    @Test
    public void mapsConnectivityThenSimilarityToRegimes() {
        ThreeRegimeModel rule = new ThreeRegimeModel(0.9, 0.0);
        assertEquals(Regime.I, rule.classify(-0.01, 0.99));
        assertEquals(Regime.II_A, rule.classify(0.0, 0.89));
        assertEquals(Regime.II_B, rule.classify(0.0, 0.9));
        assertEquals(Regime.II_B, rule.classify(0.2, 1.0));
        ThreeRegimeModel tolerant = new ThreeRegimeModel(0.9, 0.02);
        assertEquals(Regime.II_A, tolerant.classify(-0.01, 0.5));
        assertEquals(Regime.I, tolerant.classify(-0.03, 0.5));
        assertTrue(Regime.I.raisingTemperatureHelps());
        assertFalse(Regime.II_A.raisingTemperatureHelps());
        assertFalse(Regime.II_B.raisingTemperatureHelps());
        assertEquals("II-A", Regime.II_A.label());
        Helpers.testConfigurableRoundtrip(rule);
    }

    @Test
    public void refusesBadSettingsAndMetrics() {
        assertThrows(PropertyException.class, () -> new ThreeRegimeModel(0.0, 0.0));
        assertThrows(PropertyException.class, () -> new ThreeRegimeModel(1.1, 0.0));
        assertThrows(PropertyException.class, () -> new ThreeRegimeModel(0.9, -0.1));
        ThreeRegimeModel rule = ThreeRegimeModel.defaults();
        assertThrows(IllegalArgumentException.class, () -> rule.classify(Double.NaN, 0.5));
        assertThrows(IllegalArgumentException.class, () -> rule.classify(0.0, 1.5));
    }

    @Test
    public void loadAndTemperature() {
        LoadTemperature point = LoadTemperature.of(0.8, 0.1, 50);
        assertEquals(0.002, point.temperature(), 1e-15);
        assertEquals(0.2, point.density(), 1e-15);
        assertEquals(1000 / (0.2 * 500), point.examplesPerWeight(1000, 500), 1e-9);
        for (double ratio : new double[] {1.0, -0.01, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoadTemperature(ratio, 0.1));
            assertTrue(e.getMessage().contains("pruning ratio must be in [0, 1)"), e.getMessage());
        }
        for (double temperature : new double[] {0.0, -1.0, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoadTemperature(0.5, temperature));
            assertTrue(e.getMessage().contains("temperature must be positive"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LoadTemperature.of(0.5, 0.0, 32));
        assertThrows(IllegalArgumentException.class, () -> LoadTemperature.of(0.5, 0.1, 0));
    }
}
