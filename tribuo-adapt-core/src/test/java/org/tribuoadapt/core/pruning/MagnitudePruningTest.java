package org.tribuoadapt.core.pruning;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class MagnitudePruningTest {

    private static int zeros(float[] values) {
        int n = 0;
        for (float v : values) {
            n += v == 0f ? 1 : 0;
        }
        return n;
    }

    @Test
    public void layerWiseKeepsExactlyTheRatioOfEveryTensor() {
        try (Network net = new MLPSpec(20, new int[] {13, 7}, Activation.RELU, 0.0).build(3, 5)) {
            for (double ratio : new double[] {0.0, 0.3, 0.5, 0.9, 0.99}) {
                PruningMask mask = new MagnitudePruning(ratio, PruningScope.LAYER_WISE).maskFor(net);
                assertEquals(Set.of("fc1.weight", "fc2.weight", "head.weight"), mask.tensorNames());
                for (String name : mask.tensorNames()) {
                    int n = mask.mask(name).length;
                    assertEquals(Math.round(ratio * n), zeros(mask.mask(name)), name + " at " + ratio);
                }
            }
        }
    }

    @Test
    public void globalKeepsExactlyTheRatioOverall() {
        try (Network net = new CNNSpec(1, 8, 8, new int[] {4, 8}, true, 2, new int[] {16}).build(3, 9)) {
            PruningMask mask = new MagnitudePruning(0.7, PruningScope.GLOBAL).maskFor(net);
            assertEquals(Math.round(0.7 * mask.totalCount()), mask.prunedCount());
            for (String name : mask.tensorNames()) {
                assertTrue(net.parameters().get(name).shape().dimension() >= 2, name);
            }
            mask.apply(net);
            long zeros = 0;
            for (String name : mask.tensorNames()) {
                zeros += zeros(net.parameters().get(name).toFloatArray());
            }
            assertEquals(mask.prunedCount(), zeros);
        }
    }

    @Test
    public void prunesTheSmallestMagnitudesTiesByPosition() {
        try (Network net = new MLPSpec(2, new int[] {2}, Activation.RELU, 0.0).build(2, 1)) {
            Map<String, Parameter> p = net.parameters();
            p.get("fc1.weight").assign(new float[] {0.5f, -0.1f, 0.3f, -0.1f});
            p.get("head.weight").assign(new float[] {-0.05f, 2f, 0.2f, 0.3f});
            p.get("fc1.bias").assign(new float[] {0f, 0.01f});
            // layer-wise, half of each: fc1 loses both 0.1s (equal magnitudes), head loses -0.05 and 0.2
            PruningMask layerWise = new MagnitudePruning(0.5, PruningScope.LAYER_WISE).maskFor(net);
            assertArrayEquals(new float[] {1, 0, 1, 0}, layerWise.mask("fc1.weight"));
            assertArrayEquals(new float[] {0, 1, 0, 1}, layerWise.mask("head.weight"));
            // global, 3 of 8: -0.05, then the two 0.1s (fc1's in position order)
            PruningMask global = new MagnitudePruning(0.375, PruningScope.GLOBAL).maskFor(net);
            assertArrayEquals(new float[] {1, 0, 1, 0}, global.mask("fc1.weight"));
            assertArrayEquals(new float[] {0, 1, 1, 1}, global.mask("head.weight"));
            // global, 2 of 8: -0.05 and the first 0.1
            PruningMask tie = new MagnitudePruning(0.25, PruningScope.GLOBAL).maskFor(net);
            assertArrayEquals(new float[] {1, 0, 1, 1}, tie.mask("fc1.weight"));
            global.apply(net);
            // a pruned negative weight becomes -0, as in PyTorch
            assertArrayEquals(new float[] {0.5f, -0f, 0.3f, -0f}, p.get("fc1.weight").toFloatArray());
            assertArrayEquals(new float[] {0f, 0.01f}, p.get("fc1.bias").toFloatArray());
        }
    }

    @Test
    public void sameWeightsGiveTheSameMask() {
        try (Network a = new MLPSpec(10, new int[] {8}, Activation.RELU, 0.0).build(2, 3);
             Network b = new MLPSpec(10, new int[] {8}, Activation.RELU, 0.0).build(2, 3)) {
            MagnitudePruning pruning = new MagnitudePruning(0.6, PruningScope.GLOBAL);
            assertEquals(pruning.maskFor(a), pruning.maskFor(b));
        }
    }

    @Test
    public void refusesBadSettingsAndWeights() {
        for (double ratio : new double[] {1.0, -0.1, 1.5, Double.NaN}) {
            PropertyException e = assertThrows(PropertyException.class, () -> new MagnitudePruning(ratio, PruningScope.GLOBAL));
            assertTrue(e.getMessage().contains("pruning ratio must be in [0, 1)"), e.getMessage());
        }
        assertThrows(PropertyException.class, () -> new MagnitudePruning(0.5, null));
        try (Network net = new MLPSpec(2, new int[] {2}, Activation.RELU, 0.0).build(2, 1)) {
            net.parameters().get("head.weight").assign(new float[] {1f, Float.NaN, 0f, 0f});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new MagnitudePruning(0.5, PruningScope.LAYER_WISE).maskFor(net));
            assertTrue(e.getMessage().contains("'head.weight' holds NaN at entry 1"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new PruningMask(Map.of("w", new float[] {0.5f})));
    }
}
