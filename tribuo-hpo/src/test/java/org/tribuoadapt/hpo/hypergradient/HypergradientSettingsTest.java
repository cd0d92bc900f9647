package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class HypergradientSettingsTest {

    @Test
    public void badValuesAreNamedOnceForBothSidesOfTheMethod() {
        PropertyException clip = assertThrows(PropertyException.class,
                () -> HypergradientSettings.additive(0.1, 0.001, 1.0, 0.5));
        assertEquals("maxLearningRate", clip.getProperty());
        assertTrue(clip.getMessage().contains("minLearningRate (1.0) must not exceed maxLearningRate (0.5)"), clip.getMessage());
        PropertyException beta = assertThrows(PropertyException.class,
                () -> new HypergradientSettings(0.1, 1.5, HypergradientRule.MULTIPLICATIVE, 0.0, 1.0));
        assertTrue(beta.getMessage().contains("found 1.5"), beta.getMessage());
        assertEquals("nesterov", assertThrows(PropertyException.class,
                () -> new HypergradientSettings.Momentum(0.0, true)).getProperty());
        assertTrue(assertThrows(PropertyException.class, () -> new HypergradientSettings.Adam(0.9, 0.999, 0.0))
                .getMessage().contains("epsilon must be positive and finite, found 0.0"));
        HypergradientSettings settings = HypergradientSettings.additive(0.01, 1e-4, 0.0, 0.5);
        assertEquals(new SGDHD(settings, HypergradientSettings.Momentum.NONE).settings(),
                new SGDHDOptimiserFactory(settings, HypergradientSettings.Momentum.NONE).settings());
        assertEquals("lr=0.01,beta=1.0E-4,rule=ADDITIVE,clip=[0.0,0.5]", settings.describe());
    }
}
