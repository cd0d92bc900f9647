package org.tribuoadapt.peft.hydra;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.nio.charset.StandardCharsets;
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
            peft.addAdapter("a", new HydraSpec(AdapterTargets.modules("fc"), 1, 1, 2.0, 0.0, false), 2, 1L);
            peft.loadAdapterTensors("a", Map.ofEntries(
                    tensor("hydra_parallel.down.weight", new long[] {1, 2}, 1, 0),
                    tensor("hydra_parallel.up.weight", new long[] {2, 1}, 1, 2),
                    tensor("hydra_sequential.down.weight", new long[] {1, 2}, 1, 1),
                    tensor("hydra_sequential.up.weight", new long[] {2, 1}, 0.5f, 0)));
            peft.setActiveAdapters(List.of("a"));
            float[] x = {1, 1};
            assertArrayEquals(new float[] {15, 10}, AdapterContract.forward(peft.network(), x, 1), 1e-6f);
            // merged: W = W0 + 2 (Bp Ap + Bs As W0) = [[1 + 2 (1 + 2), 2 + 2 (0 + 3)], [3 + 2 * 2, 4]]
            Map<String, TensorData> merged = peft.mergedStateDict();
            assertArrayEquals(new float[] {7, 8, 7, 4}, merged.get("fc.weight").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.5f + 2 * 0.5f * -0.5f, -1}, merged.get("fc.bias").toFloatArray(), 1e-6f);
        }
    }

    @Test
    public void separateRanksAndBranchBiasesAsWrittenByHand() {
        // W0 = [[1, 2], [3, 4]], b0 = [0.5, -1], x = [1, 1]: h = W0 x + b0 = [3.5, 6]; rp = 1, rs = 2, s = 2
        // parallel: Ap x = 1, Bp 1 + bp = [1, 2] + [0.1, 0] = [1.1, 2]
        // sequential: As h = [[1, 1], [0, 1]] [3.5, 6] = [9.5, 6], Bs [9.5, 6] + bs = [4.75, 1.5] + [0, -0.2] = [4.75, 1.3]
        // y = [3.5, 6] + 2 ([1.1, 2] + [4.75, 1.3]) = [15.2, 12.6]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[] {0.5f, -1}))) {
            peft.addAdapter("a", new HydraSpec(AdapterTargets.modules("fc"), 1, 2, 2.0, 0.0, true), 2, 1L);
            Map<String, TensorData> initial = peft.adapterTensors("a");
            assertArrayEquals(new float[2], initial.get("base_model.model.fc.hydra_parallel.up.bias").toFloatArray());
            assertArrayEquals(new float[2], initial.get("base_model.model.fc.hydra_sequential.up.bias").toFloatArray());
            peft.loadAdapterTensors("a", Map.ofEntries(
                    tensor("hydra_parallel.down.weight", new long[] {1, 2}, 1, 0),
                    tensor("hydra_parallel.up.weight", new long[] {2, 1}, 1, 2),
                    tensor("hydra_parallel.up.bias", new long[] {2}, 0.1f, 0),
                    tensor("hydra_sequential.down.weight", new long[] {2, 2}, 1, 1, 0, 1),
                    tensor("hydra_sequential.up.weight", new long[] {2, 2}, 0.5f, 0, 0, 0.25f),
                    tensor("hydra_sequential.up.bias", new long[] {2}, 0, -0.2f)));
            peft.setActiveAdapters(List.of("a"));
            float[] x = {1, 1};
            assertArrayEquals(new float[] {15.2f, 12.6f}, AdapterContract.forward(peft.network(), x, 1), 1e-5f);
            assertEquals(3, peft.ranks("a").get("fc"));
            // W = W0 + 2 (Bp Ap + Bs As W0) = W0 + 2 ([[1, 0], [2, 0]] + [[2, 3], [0.75, 1]]) = [[7, 8], [8.5, 6]]
            // b = b0 + 2 (Bs As b0 + bp + bs) = [0.5, -1] + 2 ([-0.25, -0.25] + [0.1, 0] + [0, -0.2]) = [0.2, -1.9]
            Map<String, TensorData> merged = peft.mergedStateDict();
            assertArrayEquals(new float[] {7, 8, 8.5f, 6}, merged.get("fc.weight").toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0.2f, -1.9f}, merged.get("fc.bias").toFloatArray(), 1e-5f);
        }
    }

    @Test
    public void layersWithoutABiasGetNoBranchBiases() {
        NDManager manager = DjlRuntime.newManager();
        Network network = new Network(manager, new Sequential().add("fc", new Linear(manager, 2, 2, false)), new Shape(2));
        try (PeftNetwork peft = PeftNetwork.wrap(network)) {
            peft.addAdapter("a", new HydraSpec(AdapterTargets.modules("fc"), 1, 2.0), 2, 1L);
            assertEquals(List.of("hydra_parallel.down.weight", "hydra_parallel.up.weight", "hydra_sequential.down.weight",
                    "hydra_sequential.up.weight"), List.copyOf(peft.modules("a").get("fc").peftTensors().keySet()));
        }
    }

    @Test
    public void parameterCountIsRpTimesFanInAndOutputsPlusTwiceRsOutputsPlusBiases() {
        // fc1 16 -> 12 and fc2 12 -> 10 with r = 2: r (in + 3 out) + 2 out
        assertEquals(2 * (16 + 36) + 24 + 2 * (12 + 30) + 20, AdapterContract.trainableCount(
                new HydraSpec(AdapterTargets.allLinear(), 2, 1.0), MLP, MLP_OUTPUTS));
        // rp = 1, rs = 3: rp (in + out) + 2 rs out (+ 2 out)
        assertEquals((16 + 12) + 2 * 3 * 12 + (12 + 10) + 2 * 3 * 10, AdapterContract.trainableCount(
                new HydraSpec(AdapterTargets.allLinear(), 1, 3, 1.0, 0.0, false), MLP, MLP_OUTPUTS));
        // conv2 3 -> 4 channels, 3x3 kernel: fan-in 27
        assertEquals(2 * (27 + 12) + 8, AdapterContract.trainableCount(new HydraSpec(AdapterTargets.modules("conv2"), 2, 1.0),
                CNN, CNN_OUTPUTS));
    }

    @Test
    public void readsFilesWrittenBeforeSeparateRanksAndBiases() throws Exception {
        String old = "{\"peft_type\": \"HYDRA\", \"target_modules\": [\"fc1\"], \"r\": 3, \"scale\": 0.5, "
                + "\"hydra_dropout\": 0.0}";
        HydraSpec read = HydraSpec.fromPeftConfig(PeftConfigJson.parse(old.getBytes(StandardCharsets.UTF_8), "old.json"));
        assertEquals(3, read.parallelRank());
        assertEquals(3, read.sequentialRank());
        assertTrue(read.toString().contains("bias=false"), read.toString());
        HydraSpec spec = new HydraSpec(AdapterTargets.modules("fc1"), 2, 5, 0.5, 0.0, true);
        assertEquals(spec.toString(), HydraSpec.fromPeftConfig(PeftConfigJson.parse(
                spec.toPeftConfig().toString().getBytes(StandardCharsets.UTF_8), "new.json")).toString());
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
        AdapterContract.assertMergeEqualsUnmerged(new HydraSpec(AdapterTargets.allLinear(), 2, 4, 0.5, 0.0, true), MLP,
                MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new HydraSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2, 0.25, 0.1),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        HydraSpec spec = new HydraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 3, 0.5, 0.1, true);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        AdapterContract.assertSaveLoadRoundTrip(new HydraSpec(AdapterTargets.modules("fc1"), 2, 1, 0.5, 0.0, false), CNN,
                CNN_OUTPUTS, dir.resolve("no-bias"));
        Helpers.testConfigurableRoundtrip(spec);
        Map<String, ?> configured = spec.getProvenance().getConfiguredParameters();
        for (String option : new String[] {"parallelRank", "sequentialRank", "bias"}) {
            assertTrue(configured.containsKey(option), option + " in " + configured.keySet());
        }
    }

    @Test
    public void rejectsBadSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 0, 1.0))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 2, -1.0))
                .getMessage().contains("scale must be positive and finite, found -1.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 2, 1.0, 1.0))
                .getMessage().contains("dropout must be in [0, 1), found 1.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new HydraSpec(AdapterTargets.modules("fc1"), 2, -1, 1.0, 0.0,
                true)).getMessage().contains("sequentialRank must be positive, or 0 to take rank, found -1"));
    }
}
