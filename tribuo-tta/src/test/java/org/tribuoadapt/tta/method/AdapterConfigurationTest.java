package org.tribuoadapt.tta.method;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AdapterConfigurationTest {

    private static List<TestTimeAdapter> configured() {
        return List.of(new SourceAdapter(), new BatchNormAdapter(), new AlphaBatchNormAdapter(0.25),
                new TentAdapter(new SGDOptimiserFactory(2.5e-4, 0.9, false, 0), 2, List.of("bn1"), true),
                new EataAdapter(new AdamOptimiserFactory(5e-4), 0.5, 0.05, 2000, 500, List.of(), true),
                new SarAdapter(new SGDOptimiserFactory(2.5e-4, 0.9, false, 0), 0.1, 0.3, 0.25, List.of("bn2"), false),
                new LameAdapter(LameAffinity.RBF, 3, 50, "fc1"), new T3AAdapter(20, "head", true),
                new LabelShiftEMAdapter(128, 20, 1e-4));
    }

    @Test
    public void configurationAndProvenanceRoundTrip() {
        for (TestTimeAdapter method : configured()) {
            Helpers.testConfigurableRoundtrip(method);
            Helpers.testProvenanceMarshalling(method.getProvenance());
            TestTimeAdapter rebuilt = ConfiguredObjects.instantiate(method.getProvenance(), TestTimeAdapter.class);
            assertEquals(method.toString(), rebuilt.toString());
        }
        for (String name : DefaultAdapters.NAMES) {
            TestTimeAdapter method = DefaultAdapters.create(name);
            assertEquals(name, method.name());
            Helpers.testConfigurableRoundtrip(method);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DefaultAdapters.create("cotta"));
        assertTrue(e.getMessage().startsWith("unknown method 'cotta'; methods are [source, bn-adapt"), e.getMessage());
    }

    @Test
    public void impossibleSettingsNameTheField() {
        assertTrue(assertThrows(PropertyException.class, () -> new AlphaBatchNormAdapter(1.5)).getMessage()
                .contains("alpha must be in [0, 1], found 1.5"));
        assertTrue(assertThrows(PropertyException.class, () -> new TentAdapter(new AdamOptimiserFactory(1e-3), 0,
                List.of(), false)).getMessage().contains("steps must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new EataAdapter(new AdamOptimiserFactory(1e-3), 0.4, 1.5,
                1, 10, List.of(), false)).getMessage().contains("redundancyMargin must be in (0, 1], found 1.5"));
        assertTrue(assertThrows(PropertyException.class, () -> new SarAdapter(new AdamOptimiserFactory(1e-3), 0, 0.4,
                0.2, List.of(), false)).getMessage().contains("rho must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new LameAdapter(LameAffinity.KNN, 0, 100, "head"))
                .getMessage().contains("knn must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new T3AAdapter(0, "head", false)).getMessage()
                .contains("filterK must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new LabelShiftEMAdapter(0, 10, 1e-6)).getMessage()
                .contains("window and maxIterations must be at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdaptationContext(0, 10, null)).getMessage()
                .contains("the batch size must be at least 1, found 0"));
    }
}
