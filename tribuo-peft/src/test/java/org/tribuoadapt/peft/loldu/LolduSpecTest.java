package org.tribuoadapt.peft.loldu;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class LolduSpecTest {

    private static final String KEY = "base_model.model.fc.";

    private static Map<String, TensorData> with(Map<String, TensorData> tensors, String name, float... values) {
        Map<String, TensorData> out = new LinkedHashMap<>(tensors);
        out.put(KEY + name, TensorData.ofFloats(tensors.get(KEY + name).shape(), values));
        return out;
    }

    @Test
    public void decomposesTheWeightAndTrainsTheDiagonal() {
        // W0 = [[1, 2], [3, 4]] = P L D U with P L = [[1/3, 1], [1, 0]], D = (3, 2/3), U = [[1, 4/3], [0, 1]]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[] {0, 0}))) {
            peft.addAdapter("a", new LolduSpec(AdapterTargets.modules("fc"), 1, 1.0), 2, 1L);
            Map<String, TensorData> tensors = peft.adapterTensors("a");
            assertArrayEquals(new float[] {1f / 3, 1}, tensors.get(KEY + "loldu_L").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1, 4f / 3}, tensors.get(KEY + "loldu_U").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {3}, tensors.get(KEY + "loldu_z").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1}, tensors.get(KEY + "loldu_scaling").toFloatArray(), 1e-6f);
            peft.setActiveAdapters(List.of("a"));
            float[] x = {1, 1};
            assertArrayEquals(new float[] {3, 7}, AdapterContract.forward(peft.network(), x, 1), 1e-6f);
            // z = 4: dW = [1/3, 1]^T (4 - 3) [1, 4/3], so y = W0 x + dW x = [3 + 7/9, 7 + 7/3]
            peft.loadAdapterTensors("a", with(tensors, "loldu_z", 4));
            assertArrayEquals(new float[] {3 + 7f / 9, 7 + 7f / 3}, AdapterContract.forward(peft.network(), x, 1), 1e-5f);
            // s = 2 with z = 3: dW = P L_1 (2 * 3 - 3) U_1, three times the first factor
            peft.loadAdapterTensors("a", with(tensors, "loldu_scaling", 2));
            assertArrayEquals(new float[] {3 + 7f / 3, 7 + 7}, AdapterContract.forward(peft.network(), x, 1), 1e-5f);
        }
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[] {0, 0}))) {
            // with every factor kept, P L diag(z0) U is W0 itself: doubling z doubles the weight
            peft.addAdapter("a", new LolduSpec(AdapterTargets.modules("fc"), 2, 2.0), 2, 1L);
            peft.loadAdapterTensors("a", with(peft.adapterTensors("a"), "loldu_z", 6, 4f / 3));
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(new float[] {2, 4, 6, 8}, peft.mergedStateDict().get("fc.weight").toFloatArray(), 1e-5f);
        }
    }

    @Test
    public void parameterCountIsTheRankPlusOnePerLayer() {
        assertEquals((3 + 1) + (3 + 1), AdapterContract.trainableCount(new LolduSpec(AdapterTargets.allLinear(), 3, 1.0),
                MLP, MLP_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new LolduSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 1.0), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new LolduSpec(AdapterTargets.allLinear(), 4, 1.0), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new LolduSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2, 4.0),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheDiagonalAndScalingTrainAndTheyRoundTrip(@TempDir Path dir) throws Exception {
        LolduSpec spec = new LolduSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 1.0);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void rejectsBadSettingsAndSingularWeights() {
        assertTrue(assertThrows(PropertyException.class, () -> new LolduSpec(AdapterTargets.modules("fc1"), -1, 1.0))
                .getMessage().contains("rank must be a positive integer, found -1"));
        assertTrue(assertThrows(PropertyException.class, () -> new LolduSpec(AdapterTargets.modules("fc1"), 2, 0.0))
                .getMessage().contains("alpha must be positive and finite, found 0.0"));
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {0, 1, 0, 2}, new float[] {0, 0}))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new LolduSpec(AdapterTargets.modules("fc"), 1, 1.0), 2, 1L));
            assertTrue(e.getMessage().contains("LoLDU at 'fc': pivot 0 of the weight's LU decomposition is 0"), e.getMessage());
        }
    }
}
