package org.tribuoadapt.peft.bitfit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;

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

public class BitFitSpecTest {

    private static final AdapterTargets CNN_LAYERS = AdapterTargets.pattern("conv\\d|bn\\d|fc1");

    @Test
    public void trainsOneValuePerOutputFeature() {
        // fc1 16 -> 12 and fc2 12 -> 10: the biases
        assertEquals(12 + 10, AdapterContract.trainableCount(new BitFitSpec(AdapterTargets.allLinear()), MLP, MLP_OUTPUTS));
        // conv1 3, bn1 3, conv2 4, bn2 4, fc1 6 channels or features
        assertEquals(3 + 3 + 4 + 4 + 6, AdapterContract.trainableCount(new BitFitSpec(CNN_LAYERS), CNN, CNN_OUTPUTS));
    }

    @Test
    public void startsAsTheBaseAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 3);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 3);
            peft.addAdapter("a", new BitFitSpec(CNN_LAYERS), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 3), 1e-6f);
            Map<String, TensorData> tensors = peft.adapterTensors("a");
            assertEquals(List.of("base_model.model.conv1.bias", "base_model.model.bn1.bias", "base_model.model.conv2.bias",
                    "base_model.model.bn2.bias", "base_model.model.fc1.bias"), List.copyOf(tensors.keySet()));
        }
        AdapterContract.assertMergeEqualsUnmerged(new BitFitSpec(CNN_LAYERS.saving("head")), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new BitFitSpec(AdapterTargets.modules("fc1", "head")), MLP, MLP_OUTPUTS);
    }

    @Test
    public void onlyBiasesTrainAndTheyRoundTrip(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(new BitFitSpec(CNN_LAYERS.saving("head")), CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(new BitFitSpec(CNN_LAYERS), CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(new BitFitSpec(CNN_LAYERS.saving("head")));
        assertTrue(new BitFitSpec(CNN_LAYERS).toPeftConfig().toString().contains("\"peft_type\" : \"BITFIT\""));
    }

    @Test
    public void rejectsLayersItCannotTune() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new BitFitSpec(AdapterTargets.pattern("act1|fc1")), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().startsWith("layer 'act1' (RELU) matches the targets 'act1|fc1', but adapters target"),
                    e.getMessage());
        }
    }
}
