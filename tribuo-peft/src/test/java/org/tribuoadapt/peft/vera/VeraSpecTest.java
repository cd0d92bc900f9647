package org.tribuoadapt.peft.vera;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftNetwork;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class VeraSpecTest {

    private static VeraSpec vera(int r, boolean save) {
        return new VeraSpec(AdapterTargets.modules("fc1", "fc2"), r, 0, save, 0.0, 0.1, true);
    }

    @Test
    public void projectionsAreThoseOfPyTorchsGenerator() {
        // torch.Generator().manual_seed(0); A = empty(3, 5).uniform_(-b, b), then B = empty(4, 3).uniform_ (PyTorch 1.13),
        // with b = sqrt(3) sqrt(2) / sqrt(fan in), as PEFT's VeRA draws them
        float[] expectedA = {-0.008201400749385357f, 0.5876445174217224f, -0.9016007781028748f, -0.8061808347702026f,
            -0.4219154715538025f, 0.29375168681144714f, -0.021704252809286118f, 0.8685669302940369f, -0.0972142368555069f,
            0.2898685336112976f, -0.3310578465461731f, -0.21532660722732544f, -1.0465319156646729f, -0.7254937291145325f,
            -0.45156779885292053f};
        float[] expectedB = {0.05238752067089081f, 0.559088408946991f, 0.8485603332519531f, -0.9587534666061401f,
            -0.6158374547958374f, 0.513666570186615f, 1.174345850944519f, -0.2910453975200653f, 1.0582726001739502f,
            -0.2279476821422577f, 0.14964373409748077f, 1.2805367708206177f};
        org.tribuoadapt.core.nn.spec.NetworkSpec tiny = new org.tribuoadapt.core.nn.spec.MLPSpec(5, new int[] {4},
                org.tribuoadapt.core.nn.layers.Activation.RELU, 0.0);
        try (PeftNetwork peft = PeftNetwork.wrap(tiny.build(2, 1L))) {
            peft.addAdapter("a", new VeraSpec(AdapterTargets.modules("fc1"), 3), 2, 1L);
            Map<String, TensorData> tensors = peft.adapterTensors("a");
            assertArrayEquals(expectedA, tensors.get("base_model.vera_A").toFloatArray(), 1e-6f);
            assertArrayEquals(expectedB, tensors.get("base_model.vera_B").toFloatArray(), 1e-6f);
        }
    }

    @Test
    public void parameterCountIsRankPlusOutputsPerLayer() {
        assertEquals((4 + 12) + (4 + 10), AdapterContract.trainableCount(vera(4, true), MLP, MLP_OUTPUTS));
    }

    @Test
    public void sharesOneProjectionPairSlicedPerLayer() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", vera(4, true), MLP_OUTPUTS, 1L);
            Map<String, TensorData> tensors = peft.adapterTensors("a");
            // the largest in (16) and out (12) of fc1 [12, 16] and fc2 [10, 12]
            assertArrayEquals(new long[] {4, 16}, tensors.get("base_model.vera_A").shape());
            assertArrayEquals(new long[] {12, 4}, tensors.get("base_model.vera_B").shape());
            assertArrayEquals(new long[] {12}, tensors.get("base_model.model.fc1.vera_lambda_b").shape());
            assertArrayEquals(new long[] {4}, tensors.get("base_model.model.fc2.vera_lambda_d").shape());
        }
    }

    @Test
    public void mergedEqualsUnmerged() {
        AdapterContract.assertMergeEqualsUnmerged(vera(4, true), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new VeraSpec(AdapterTargets.modules("fc1", "head"), 5, 3, true, 0.2, 0.5, false),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(new VeraSpec(AdapterTargets.modules("fc1", "fc2").saving("head"), 4, 1, true,
                0.1, 0.1, true), MLP, MLP_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(vera(4, true), MLP, MLP_OUTPUTS, dir.resolve("saved"));
        // without the projections in the file, loading regenerates them from the key
        AdapterContract.assertSaveLoadRoundTrip(vera(4, false), MLP, MLP_OUTPUTS, dir.resolve("regenerated"));
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("regenerated/adapter"));
        assertFalse(loaded.tensors().containsKey("base_model.vera_A"));
        Helpers.testConfigurableRoundtrip(vera(4, false));
    }

    @Test
    public void rejectsConvolutionsAndBadRanks() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new VeraSpec(AdapterTargets.modules("conv1"), 2), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("VERA cannot adapt a CONV2D layer"), e.getMessage());
        }
        assertTrue(assertThrows(PropertyException.class, () -> vera(0, true)).getMessage()
                .contains("rank must be a positive integer, found 0"));
        assertEquals(List.of("fc1", "fc2"), vera(2, true).targets().modules());
    }
}
