package org.tribuoadapt.peft.flora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
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

public class FloraSpecTest {

    @Test
    public void linearUpdateIsFactorCoreFactor() {
        // core [[2]], in factor [1, 0]^T, out factor [1, 1]^T, s = 0.5: dW = 0.5 [1, 1]^T 2 [1, 0] = [[1, 0], [1, 0]]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 0, 0, 1}, new float[] {0, 0}))) {
            peft.addAdapter("a", new FloraSpec(AdapterTargets.modules("fc"), 1, 1, 0.5), 2, 1L);
            peft.loadAdapterTensors("a", Map.ofEntries(tensor("flora_core", new long[] {1, 1}, 2),
                    tensor("flora_in", new long[] {2, 1}, 1, 0), tensor("flora_out", new long[] {2, 1}, 1, 1)));
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(new float[] {2, 3}, AdapterContract.forward(peft.network(), new float[] {1, 2}, 1), 1e-6f);
        }
    }

    @Test
    public void linearUpdateHasOneRankPerMode() {
        // r_in = 1, r_out = 2: core [[2, 3]], in factor [1, 0]^T, out factor I, s = 0.5:
        // dW = 0.5 I [[2], [3]] [1, 0] = [[1, 0], [1.5, 0]]; W x = [1, 2] + [1, 1.5]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 0, 0, 1}, new float[] {0, 0}))) {
            peft.addAdapter("a", new FloraSpec(AdapterTargets.modules("fc"), new int[] {2, 1, 1, 1}, 0.5, 0.0), 2, 1L);
            peft.loadAdapterTensors("a", Map.ofEntries(tensor("flora_core", new long[] {1, 2}, 2, 3),
                    tensor("flora_in", new long[] {2, 1}, 1, 0), tensor("flora_out", new long[] {2, 2}, 1, 0, 0, 1)));
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(new float[] {2, 3.5f}, AdapterContract.forward(peft.network(), new float[] {1, 2}, 1), 1e-6f);
            assertEquals(1, peft.ranks("a").get("fc"));
        }
    }

    @Test
    public void convolutionUpdateIsTheFourModeTuckerProduct() {
        assertTucker(new int[] {2, 2, 2, 2});
        // one rank per mode: [out, in, h, w]
        assertTucker(new int[] {3, 2, 1, 2});
    }

    private static void assertTucker(int[] modeRanks) {
        int ro = modeRanks[0];
        int ri = modeRanks[1];
        int rh = modeRanks[2];
        int rw = modeRanks[3];
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            peft.addAdapter("a", new FloraSpec(AdapterTargets.modules("conv2"), modeRanks, 0.5, 0.0), CNN_OUTPUTS, 1L);
            AdapterContract.randomise(peft, "a", 3L);
            Map<String, TensorData> t = peft.adapterTensors("a");
            assertArrayEquals(new long[] {ri, ro, rh, rw}, t.get("base_model.model.conv2.flora_core").shape());
            float[] g = t.get("base_model.model.conv2.flora_core").toFloatArray();
            float[] u0 = t.get("base_model.model.conv2.flora_in").toFloatArray();
            float[] u1 = t.get("base_model.model.conv2.flora_out").toFloatArray();
            float[] u2 = t.get("base_model.model.conv2.flora_kernel_h").toFloatArray();
            float[] u3 = t.get("base_model.model.conv2.flora_kernel_w").toFloatArray();
            float[] before = peft.mergedStateDict().get("conv2.weight").toFloatArray();
            peft.setActiveAdapters(List.of("a"));
            float[] after = peft.mergedStateDict().get("conv2.weight").toFloatArray();
            // conv2: 3 -> 4 channels, 3x3 kernel: dW[o,i,h,w] = s sum G[a,b,c,d] U_in[i,a] U_out[o,b] U_h[h,c] U_w[w,d]
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 3; i++) {
                    for (int h = 0; h < 3; h++) {
                        for (int w = 0; w < 3; w++) {
                            double sum = 0;
                            for (int a = 0; a < ri; a++) {
                                for (int b = 0; b < ro; b++) {
                                    for (int c = 0; c < rh; c++) {
                                        for (int d = 0; d < rw; d++) {
                                            sum += g[((a * ro + b) * rh + c) * rw + d] * u0[i * ri + a] * u1[o * ro + b]
                                                    * u2[h * rh + c] * u3[w * rw + d];
                                        }
                                    }
                                }
                            }
                            int index = ((o * 3 + i) * 3 + h) * 3 + w;
                            assertEquals(0.5 * sum, after[index] - before[index], 1e-5, "dW at " + index);
                        }
                    }
                }
            }
        }
    }

    @Test
    public void readsFilesWrittenBeforeThePerModeRanks() throws Exception {
        String old = "{\"peft_type\": \"FLORA\", \"target_modules\": [\"fc1\"], \"r\": 3, \"kernel_r\": 1, "
                + "\"scale\": 0.5, \"flora_dropout\": 0.0}";
        FloraSpec read = FloraSpec.fromPeftConfig(PeftConfigJson.parse(old.getBytes(StandardCharsets.UTF_8), "old.json"));
        assertArrayEquals(new int[] {3, 3, 1, 1}, read.modeRanks());
        FloraSpec spec = new FloraSpec(AdapterTargets.modules("fc1"), new int[] {4, 2, 3, 1}, 0.5, 0.0);
        assertEquals(spec.toString(), FloraSpec.fromPeftConfig(PeftConfigJson.parse(
                spec.toPeftConfig().toString().getBytes(StandardCharsets.UTF_8), "new.json")).toString());
    }

    @Test
    public void parameterCountFollowsTheCoreAndFactors() {
        // fc1 16 -> 12 and fc2 12 -> 10 with r = 2: r^2 + r (in + out)
        assertEquals((4 + 2 * 28) + (4 + 2 * 22), AdapterContract.trainableCount(new FloraSpec(AdapterTargets.allLinear(), 2, 2, 1.0),
                MLP, MLP_OUTPUTS));
        // conv2 3 -> 4, 3x3, r = 2, rk = 2: r^2 rk^2 + r (in + out) + 2 k rk
        assertEquals(16 + 2 * 7 + 2 * 3 * 2, AdapterContract.trainableCount(new FloraSpec(AdapterTargets.modules("conv2"), 2, 2, 1.0),
                CNN, CNN_OUTPUTS));
        // one rank per mode, r_out = 3, r_in = 1, r_h = 2, r_w = 1: r_in r_out r_h r_w + r_in in + r_out out + k (r_h + r_w)
        assertEquals(6 + 3 + 3 * 4 + 3 * 3, AdapterContract.trainableCount(new FloraSpec(AdapterTargets.modules("conv2"),
                new int[] {3, 1, 2, 1}, 1.0, 0.0), CNN, CNN_OUTPUTS));
        // Linear: r_in r_out + r_in in + r_out out
        assertEquals((2 * 3 + 2 * 16 + 3 * 12) + (2 * 3 + 2 * 12 + 3 * 10), AdapterContract.trainableCount(
                new FloraSpec(AdapterTargets.allLinear(), new int[] {3, 2, 1, 1}, 1.0, 0.0), MLP, MLP_OUTPUTS));
        // the kernel rank is capped at the kernel size: rk = 3
        assertEquals(4 * 9 + 2 * 7 + 2 * 3 * 3, AdapterContract.trainableCount(new FloraSpec(AdapterTargets.modules("conv2"), 2, 5, 1.0),
                CNN, CNN_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new FloraSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 2, 4.0), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new FloraSpec(AdapterTargets.allLinear(), 3, 2, 0.5), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new FloraSpec(AdapterTargets.allLinear(), new int[] {2, 4, 1, 1}, 0.5, 0.0),
                MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new FloraSpec(AdapterTargets.modules("conv1", "conv2", "head"),
                new int[] {3, 2, 1, 2}, 0.5, 0.1), CNN, CNN_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new FloraSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2, 2, 0.5, 0.1),
                CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        FloraSpec spec = new FloraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 2, 1.0, 0.1);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
        FloraSpec perMode = new FloraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), new int[] {3, 2, 2, 1},
                1.0, 0.1);
        AdapterContract.assertSaveLoadRoundTrip(perMode, CNN, CNN_OUTPUTS, dir.resolve("per-mode"));
        Helpers.testConfigurableRoundtrip(perMode);
        Map<String, ?> configured = perMode.getProvenance().getConfiguredParameters();
        for (String option : new String[] {"outRank", "inRank", "kernelHeightRank", "kernelWidthRank"}) {
            assertTrue(configured.containsKey(option), option + " in " + configured.keySet());
        }
    }

    @Test
    public void rejectsBadSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> new FloraSpec(AdapterTargets.modules("fc1"), 0, 2, 1.0))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new FloraSpec(AdapterTargets.modules("fc1"), 2, 0, 1.0))
                .getMessage().contains("kernelRank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new FloraSpec(AdapterTargets.modules("fc1"), 2, 2, 0.0))
                .getMessage().contains("scale must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new FloraSpec(AdapterTargets.modules("fc1"),
                new int[] {2, -1, 2, 2}, 1.0, 0.0)).getMessage()
                .contains("inRank must be positive, or 0 to take the default rank, found -1"));
        assertTrue(assertThrows(PropertyException.class, () -> new FloraSpec(AdapterTargets.modules("fc1"), new int[] {2, 2},
                1.0, 0.0)).getMessage().contains("modeRanks needs 4 ranks [out, in, kernel height, kernel width], found 2"));
    }
}
