package org.tribuoadapt.tta.method;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.tta.method.batchnorm.AlphaBatchNorm;
import org.tribuoadapt.tta.method.batchnorm.BatchNormAdapt;
import org.tribuoadapt.tta.method.batchnorm.Core;
import org.tribuoadapt.tta.method.cafa.Cafa;
import org.tribuoadapt.tta.method.eata.Eata;
import org.tribuoadapt.tta.method.labelshift.LabelShiftEM;
import org.tribuoadapt.tta.method.lame.Lame;
import org.tribuoadapt.tta.method.lame.LameAffinity;
import org.tribuoadapt.tta.method.sar.Sar;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.method.t3a.T3A;
import org.tribuoadapt.tta.method.tent.Tent;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class MethodConfigurationTest {

    private static List<TestTimeMethod> configured() {
        return List.of(new SourceOnly(), new BatchNormAdapt(), new AlphaBatchNorm(0.25),
                new Core(0.25, new SGDOptimiserFactory(2.5e-4, 0.9, false, 0), 2, List.of("bn1"), true),
                new Tent(new SGDOptimiserFactory(2.5e-4, 0.9, false, 0), 2, List.of("bn1"), true),
                new Eata(new AdamOptimiserFactory(5e-4), 0.5, 0.05, 2000, 500, List.of(), true),
                new Sar(new SGDOptimiserFactory(2.5e-4, 0.9, false, 0), 0.1, 0.3, 0.25, List.of("bn2"), false),
                new Cafa(new SGDOptimiserFactory(2.5e-4, 0.9, false, 0), "fc1", List.of("bn1"), true),
                new Lame(LameAffinity.RBF, 3, 50, "fc1"), new T3A(20, "head", true),
                new LabelShiftEM(128, 20, 1e-4));
    }

    @Test
    public void configurationAndProvenanceRoundTrip() {
        for (TestTimeMethod method : configured()) {
            Helpers.testConfigurableRoundtrip(method);
            Helpers.testProvenanceMarshalling(method.getProvenance());
            TestTimeMethod rebuilt = ConfiguredObjects.instantiate(method.getProvenance(), TestTimeMethod.class);
            assertEquals(method.toString(), rebuilt.toString());
        }
    }

    @Test
    public void impossibleSettingsNameTheField() {
        assertTrue(assertThrows(PropertyException.class, () -> new AlphaBatchNorm(1.5)).getMessage()
                .contains("alpha must be in [0, 1], found 1.5"));
        assertTrue(assertThrows(PropertyException.class, () -> new Tent(new AdamOptimiserFactory(1e-3), 0,
                List.of(), false)).getMessage().contains("steps must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new Eata(new AdamOptimiserFactory(1e-3), 0.4, 1.5,
                1, 10, List.of(), false)).getMessage().contains("redundancyMargin must be in (0, 1], found 1.5"));
        assertTrue(assertThrows(PropertyException.class, () -> new Sar(new AdamOptimiserFactory(1e-3), 0, 0.4,
                0.2, List.of(), false)).getMessage().contains("rho must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new Cafa(new AdamOptimiserFactory(1e-3), " ",
                List.of(), false)).getMessage().contains("featureLayer must name a layer, e.g. head"));
        assertTrue(assertThrows(PropertyException.class, () -> new Lame(LameAffinity.KNN, 0, 100, "head"))
                .getMessage().contains("knn must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new T3A(0, "head", false)).getMessage()
                .contains("filterK must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new LabelShiftEM(0, 10, 1e-6)).getMessage()
                .contains("window and maxIterations must be at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdaptationContext(0, 10, null)).getMessage()
                .contains("the batch size must be at least 1, found 0"));
    }
}
