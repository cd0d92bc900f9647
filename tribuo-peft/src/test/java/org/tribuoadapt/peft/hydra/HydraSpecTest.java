package org.tribuoadapt.peft.hydra;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

import java.nio.file.Path;
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
import static org.tribuoadapt.peft.SingleLayerNetworks.tensor;

public class HydraSpecTest {

    @Test
    public void computesBothBranchesAsWrittenByHand() {
        // W0 = [[1, 2], [3, 4]], b0 = [0.5, -1], x = [1, 1]: W0 x + b0 = [3.5, 6]
        // parallel: Ap x = 1, Bp 1 = [1, 2]; sequential: As [3.5, 6] = 9.5, Bs 9.5 = [4.75, 0]
        // y = [3.5, 6] + 2 ([1, 2] + [4.75, 0]) = [15, 10]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[] {0.5f, -1}))) {
            peft.addAdapter("a", new HydraSpec(AdapterTargets.modules("fc"), 1, 2.0), 2, 1L);
            peft.loadAdapterTensors("a", Map.ofEntries(
                    tensor("hydra_parallel.down.weight", new long[] {1, 2}, 1, 0),
                    tensor("hydra_parallel.up.weight", new long[] {2, 1}, 1, 2),
                    tensor("hydra_sequential.down.weight", new long[] {1, 2}, 1, 1),
                    tensor("hydra_sequential.up.weight", new long[] {2, 1}, 0.5f, 0)));
            peft.setActiveAdapters(List.of("a"));
            float[] x = {1, 1};
            assertArrayEquals(new float[] {15, 10}, AdapterContract.forward(peft.network(), x, 1), 1e-6f);
            // merged: W = W0 + 2 (Bp Ap + Bs As W0) = [[1 + 2 (1 + 2), 2 + 2 (0 + 3)], [3 + 2 * 2, 4]]
            Map<String, org.tribuoadapt.core.safetensors.TensorData> merged = peft.mergedStateDict();
            assertArrayEquals(new float[] {7, 8, 7, 4}, merged.get("fc.weight").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.5f + 2 * 0.5f * -0.5f, -1}, merged.get("fc.bias").toFloatArray(), 1e-6f);
        }
    }

    @Test
    public void parameterCountIsRankTimesFanInPlusThreeOutputs() {
        // fc1 16 -> 12 and fc2 12 -> 10 with r = 2: r (in + 3 out)
        assertEquals(2 * (16 + 36) + 2 * (12 + 30), AdapterContract.trainableCount(
                new HydraSpec(AdapterTargets.allLinear(), 2, 1.0), MLP, MLP_OUTPUTS));
        // conv2 3 -> 4 channels, 3x3 kernel: fan-in 27
        assertEquals(2 * (27 + 12), AdapterContract.trainableCount(new HydraSpec(AdapterTargets.modules("conv2"), 2, 1.0),
                CNN, CNN_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new HydraSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 0.5), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new HydraSpec(AdapterTargets.allLinear(), 3, 0.5), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new HydraSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2, 0.25, 0.1),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        HydraSpec spec = new HydraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 0.5, 0.1);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void rejectsBadSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 0, 1.0))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 2, -1.0))
                .getMessage().contains("scale must be positive and finite, found -1.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 2, 1.0, 1.0))
                .getMessage().contains("dropout must be in [0, 1), found 1.0"));
    }
}
