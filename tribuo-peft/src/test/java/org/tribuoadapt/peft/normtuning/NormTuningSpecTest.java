package org.tribuoadapt.peft.normtuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
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

public class NormTuningSpecTest {

    /** Tokens of width 4, model width 8: LayerNorms blocks.0.norm1, blocks.0.norm2 and norm, 8 features each. */
    private static final NetworkSpec TRANSFORMER = TransformerSpec.forSequences(8, 4, 8, 1, 2, 16);

    private static NormTuningSpec norms(String pattern) {
        return new NormTuningSpec(AdapterTargets.pattern(pattern));
    }

    @Test
    public void trainsScaleAndShiftOfEachNormalisationLayer() {
        assertEquals(2 * 3 + 2 * 4, AdapterContract.trainableCount(norms("bn\\d"), CNN, CNN_OUTPUTS));
        assertEquals(3 * 2 * 8, AdapterContract.trainableCount(norms(".*norm\\d?"), TRANSFORMER, 2));
    }

    @Test
    public void adaptedNormalisationMatchesTheLayerItself() {
        // merged equals unmerged: the plain network normalises natively, the adapter through its own normalisation
        AdapterContract.assertMergeEqualsUnmerged(norms("bn\\d"), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(norms(".*norm\\d?"), TRANSFORMER, 2);
        float[] x = AdapterContract.input(TRANSFORMER, 3);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(TRANSFORMER, 2))) {
            float[] base = AdapterContract.forward(peft.network(), x, 3);
            peft.addAdapter("a", norms(".*norm\\d?"), 2, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 3), 1e-5f);
        }
    }

    @Test
    public void batchNormStatisticsStayFrozenAndItRoundTrips(@TempDir Path dir) throws Exception {
        // only the copies of gamma and beta change; running statistics of the base are bit-identical
        AdapterContract.assertOnlyAdapterTrains(new NormTuningSpec(AdapterTargets.pattern("bn\\d").saving("head")), CNN,
                CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(norms("bn\\d"), CNN, CNN_OUTPUTS, dir.resolve("cnn"));
        AdapterContract.assertSaveLoadRoundTrip(norms(".*norm\\d?"), TRANSFORMER, 2, dir.resolve("transformer"));
        Helpers.testConfigurableRoundtrip(norms("bn\\d"));
    }

    @Test
    public void rejectsLayersThatAreNotNormalisations() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    norms("bn1|conv1"), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("NORM_TUNING cannot adapt a CONV2D layer"), e.getMessage());
        }
    }
}
