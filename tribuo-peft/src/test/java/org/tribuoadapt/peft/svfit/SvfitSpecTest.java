package org.tribuoadapt.peft.svfit;

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

public class SvfitSpecTest {

    @Test
    public void trainsTheTopSingularValues() {
        // W0 = diag(3, 1): U = V = I, S = (3, 1); with r = 1, s starts at 3; s = 5 gives W = diag(5, 1)
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {3, 0, 0, 1}, new float[] {0, 0}))) {
            peft.addAdapter("a", new SvfitSpec(AdapterTargets.modules("fc"), 1), 2, 1L);
            Map<String, TensorData> tensors = peft.adapterTensors("a");
            assertArrayEquals(new float[] {3}, tensors.get("base_model.model.fc.svfit_S").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {3}, tensors.get("base_model.model.fc.svfit_S_initial").toFloatArray(), 1e-6f);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(new float[] {3, 1}, AdapterContract.forward(peft.network(), new float[] {1, 1}, 1), 1e-6f);
            peft.loadAdapterTensors("a", Map.of(tensor("svfit_S", new long[] {1}, 5).getKey(),
                    tensor("svfit_S", new long[] {1}, 5).getValue(),
                    "base_model.model.fc.svfit_S_initial", tensors.get("base_model.model.fc.svfit_S_initial"),
                    "base_model.model.fc.svfit_U", tensors.get("base_model.model.fc.svfit_U"),
                    "base_model.model.fc.svfit_Vh", tensors.get("base_model.model.fc.svfit_Vh")));
            assertArrayEquals(new float[] {5, 1}, AdapterContract.forward(peft.network(), new float[] {1, 1}, 1), 1e-6f);
            assertArrayEquals(new float[] {5, 0, 0, 1}, peft.mergedStateDict().get("fc.weight").toFloatArray(), 1e-6f);
        }
    }

    @Test
    public void parameterCountIsTheRankPerLayer() {
        assertEquals(3 + 3, AdapterContract.trainableCount(new SvfitSpec(AdapterTargets.allLinear(), 3), MLP, MLP_OUTPUTS));
        assertEquals(2 + 2 + 2, AdapterContract.trainableCount(new SvfitSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2),
                CNN, CNN_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new SvfitSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new SvfitSpec(AdapterTargets.allLinear(), 4), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new SvfitSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2), CNN,
                CNN_OUTPUTS);
    }

    @Test
    public void onlyTheSingularValuesTrainAndTheyRoundTrip(@TempDir Path dir) throws Exception {
        SvfitSpec spec = new SvfitSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void rejectsBadRanks() {
        assertTrue(assertThrows(PropertyException.class, () -> new SvfitSpec(AdapterTargets.modules("fc1"), 0))
                .getMessage().contains("rank must be a positive integer, found 0"));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new SvfitSpec(AdapterTargets.modules("head"), 5), MLP_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("SVFit at 'head' needs rank <= min(out, fanIn) = 4, found rank 5"), e.getMessage());
        }
    }
}
