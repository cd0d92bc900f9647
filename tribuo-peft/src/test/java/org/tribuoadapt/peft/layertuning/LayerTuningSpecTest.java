package org.tribuoadapt.peft.layertuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;

public class LayerTuningSpecTest {

    @Test
    public void headOnlyTrainsTheHeadsWeightAndBias() {
        // the CNN's head maps its 6 hidden units to 3 classes: 6 * 3 weights and 3 biases
        assertEquals(6 * 3 + 3, AdapterContract.trainableCount(LayerTuningSpec.headOnly(), CNN, CNN_OUTPUTS));
        assertEquals(List.of("head"), LayerTuningSpec.headOnly().targets().modules());
    }

    @Test
    public void startsAsTheBaseAndMergesExactly() {
        AdapterContract.assertMergeEqualsUnmerged(LayerTuningSpec.headOnly(), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new LayerTuningSpec(AdapterTargets.pattern("conv\\d|fc1")), CNN,
                CNN_OUTPUTS);
        float[] x = AdapterContract.input(CNN, 3);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 3);
            peft.addAdapter("a", LayerTuningSpec.headOnly(), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 3), 1e-6f);
        }
    }

    @Test
    public void onlyTheHeadTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(LayerTuningSpec.headOnly(), CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(LayerTuningSpec.headOnly(), CNN, CNN_OUTPUTS, dir.resolve("cnn"));
        Helpers.testConfigurableRoundtrip(LayerTuningSpec.headOnly());
    }

    @Test
    public void rejectsNormalisationLayers() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new LayerTuningSpec(AdapterTargets.pattern("bn1|head")), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("LAYER_TUNING cannot adapt a BATCH_NORM layer"), e.getMessage());
        }
    }
}
