package org.tribuoadapt.peft.lokr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lycoris.LycorisOptions;

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

public class LoKrSpecTest {

    private static LoKrSpec lokr(AdapterTargets targets, int r, boolean both, boolean cp, LoKrInit init) {
        return new LoKrSpec(targets, new LycorisOptions(r, r, 0.0, 0.0, cp, Map.of(), Map.of()), both, 0, false, init);
    }

    @Test
    public void factorisesLikePeft() {
        // the examples of PEFT's factorization docstring
        assertArrayEquals(new int[] {16, 16}, Factorization.of(256, 0));
        assertArrayEquals(new int[] {8, 16}, Factorization.of(128, 0));
        assertArrayEquals(new int[] {1, 127}, Factorization.of(127, 0));
        assertArrayEquals(new int[] {4, 32}, Factorization.of(128, 4));
        assertArrayEquals(new int[] {3, 4}, Factorization.of(12, 0));
        assertArrayEquals(new int[] {4, 4}, Factorization.of(16, 0));
    }

    @Test
    public void kronIsTheKroneckerProduct() {
        try (NDManager m = DjlRuntime.newManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray b = m.create(new float[] {0, 5, 6, 7}, new Shape(2, 2));
            assertArrayEquals(new float[] {0, 5, 0, 10, 6, 7, 12, 14, 0, 15, 0, 20, 18, 21, 24, 28},
                    LoKrModule.kron(a, b).toFloatArray());
            NDArray kernel = m.create(new float[] {1, 2}, new Shape(1, 1, 1, 2));
            assertArrayEquals(new long[] {2, 2, 1, 2}, LoKrModule.kron(a, kernel).getShape().getShape());
            assertArrayEquals(new float[] {1, 2, 2, 4, 3, 6, 4, 8}, LoKrModule.kron(a, kernel).toFloatArray());
        }
    }

    @Test
    public void parameterCountsFollowTheFactorisation() {
        // fc1 16 -> 12: out 12 = 3 x 4, in 16 = 4 x 4; W1 [3, 4]; r = 8 >= 4 / 2 so W2 is full [4, 4]
        assertEquals(3 * 4 + 4 * 4, AdapterContract.trainableCount(lokr(AdapterTargets.modules("fc1"), 8, false, false,
                LoKrInit.DEFAULT), MLP, MLP_OUTPUTS));
        // r = 1 < 4 / 2: W2 = W2a [4, 1] W2b [1, 4]
        assertEquals(3 * 4 + 4 + 4, AdapterContract.trainableCount(lokr(AdapterTargets.modules("fc1"), 1, false, false,
                LoKrInit.DEFAULT), MLP, MLP_OUTPUTS));
        // decompose both with r = 1 < 4 / 2: W1 = [3, 1] [1, 4] too
        assertEquals(3 + 4 + 4 + 4, AdapterContract.trainableCount(lokr(AdapterTargets.modules("fc1"), 1, true, false,
                LoKrInit.DEFAULT), MLP, MLP_OUTPUTS));
        // conv2 3 -> 4 channels, 3x3: out 4 = 2 x 2, in 3 = 1 x 3; W1 [2, 1]; r = 1 < 3 / 2: W2a [2, 1], W2b [1, 3 x 9]
        assertEquals(2 + 2 + 27, AdapterContract.trainableCount(lokr(AdapterTargets.modules("conv2"), 1, false, false,
                LoKrInit.DEFAULT), CNN, CNN_OUTPUTS));
        // with the CP core: t2 [1, 1, 3, 3], W2a [1, 2], W2b [1, 3]
        assertEquals(2 + 9 + 2 + 3, AdapterContract.trainableCount(lokr(AdapterTargets.modules("conv2"), 1, false, true,
                LoKrInit.DEFAULT), CNN, CNN_OUTPUTS));
    }

    @Test
    public void mergedEqualsUnmergedAndFreshAdaptersAreNoOps() {
        AdapterContract.assertMergeEqualsUnmerged(lokr(AdapterTargets.allLinear(), 1, true, false, LoKrInit.DEFAULT), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(lokr(AdapterTargets.modules("conv1", "conv2", "head"), 1, false, false,
                LoKrInit.RANDOM), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(lokr(AdapterTargets.modules("conv1", "conv2"), 1, false, true,
                LoKrInit.LYCORIS), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(lokr(AdapterTargets.modules("conv2"), 4, false, false, LoKrInit.DEFAULT),
                CNN, CNN_OUTPUTS);
        for (LoKrInit init : new LoKrInit[] {LoKrInit.DEFAULT, LoKrInit.LYCORIS}) {
            float[] x = AdapterContract.input(CNN, 2);
            try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
                float[] base = AdapterContract.forward(peft.network(), x, 2);
                peft.addAdapter("a", lokr(AdapterTargets.modules("conv2", "fc1"), 1, true, true, init), CNN_OUTPUTS, 1L);
                peft.setActiveAdapters(List.of("a"));
                AdapterContract.assertClose(base, AdapterContract.forward(peft.network(), x, 2), 1e-6, init.toString());
            }
        }
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        LoKrSpec spec = new LoKrSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"),
                new LycorisOptions(1, 2, 0.2, 0.1, true, Map.of(), Map.of("fc1", 3.0)), true, 2, true, LoKrInit.DEFAULT);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir.resolve("cnn"));
        AdapterContract.assertSaveLoadRoundTrip(lokr(AdapterTargets.allLinear(), 2, false, false, LoKrInit.LYCORIS), MLP,
                MLP_OUTPUTS, dir.resolve("mlp"));
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void readsPeftConfigurationsAndRejectsBadValues() throws Exception {
        String json = "{\"peft_type\": \"LOKR\", \"r\": 4, \"alpha\": 8, \"target_modules\": \"fc\\\\d\", "
                + "\"decompose_both\": false, \"decompose_factor\": -1, \"init_weights\": \"lycoris\", \"rank_dropout_scale\": false}";
        LoKrSpec spec = (LoKrSpec) AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals("fc\\d", spec.targets().pattern());
        assertTrue(spec.toPeftConfig().toString().contains("\"decompose_factor\" : -1"));
        assertTrue(spec.toString().contains("initialisation=LYCORIS"));
        assertTrue(assertThrows(PropertyException.class, () -> new LoKrSpec(AdapterTargets.modules("fc1"),
                LycorisOptions.of(2, 2), false, -3, false, LoKrInit.DEFAULT)).getMessage()
                .contains("decomposeFactor must be 0 (near the square root) or positive, found -3"));
        assertTrue(assertThrows(PropertyException.class, () -> new LoKrSpec(AdapterTargets.modules("fc1"),
                LycorisOptions.of(-1, 2))).getMessage().contains("rank must be a positive integer, found -1"));
    }
}
