package org.tribuoadapt.peft.randlora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.io.AdapterFormatException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class RandLoraSpecTest {

    private static RandLoraSpec spec(int rank, int key, boolean save, boolean sparse) {
        return new RandLoraSpec(AdapterTargets.allLinear(), rank, 2.0 * rank, key, save, sparse, false, 0.0, true);
    }

    /** PEFT's update, written out: Q[(i, j), c] = lambda[i, j] A[i, 0, c] gamma[j, c], P[o, (j, q)] = B[o, j, q]. */
    private static double[] expectedDelta(Map<String, TensorData> t, String layer, int rank, int in, int out, double scaling) {
        int m = Math.min(in, out);
        int big = Math.max(in, out);
        int n = (m + rank - 1) / rank;
        float[] lambda = t.get("base_model.model." + layer + ".randlora_lambda").toFloatArray();
        float[] gamma = t.get("base_model.model." + layer + ".randlora_gamma").toFloatArray();
        TensorData a = t.get("base_model.randlora_A");
        TensorData b = t.get("base_model.randlora_B");
        int aWidth = Math.toIntExact(a.shape()[2]);
        int bBases = Math.toIntExact(b.shape()[1]);
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        double[] pq = new double[big * m];
        for (int o = 0; o < big; o++) {
            for (int c = 0; c < m; c++) {
                double sum = 0;
                for (int k = 0; k < rank * n; k++) {
                    int i = k / n;
                    int j = k % n;
                    double q = lambda[i * n + j] * av[i * aWidth + c] * gamma[j * m + c];
                    double p = bv[(o * bBases + k / rank) * rank + k % rank];
                    sum += p * q;
                }
                pq[o * m + c] = sum * scaling;
            }
        }
        if (in <= out) {
            return pq;
        }
        double[] transposed = new double[out * in];
        for (int o = 0; o < big; o++) {
            for (int c = 0; c < m; c++) {
                transposed[c * in + o] = pq[o * m + c];
            }
        }
        return transposed;
    }

    private static void assertDeltaIsPefts(PeftNetwork peft, String layer, int rank, int in, int out, double scaling) {
        Map<String, TensorData> t = peft.adapterTensors("a");
        float[] before = peft.mergedStateDict().get(layer + ".weight").toFloatArray();
        peft.setActiveAdapters(List.of("a"));
        float[] after = peft.mergedStateDict().get(layer + ".weight").toFloatArray();
        double[] expected = expectedDelta(t, layer, rank, in, out, scaling);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], after[i] - before[i], 1e-5, layer + " dW[" + i + "]");
        }
        peft.setActiveAdapters(List.of());
    }

    @Test
    public void updateIsPeftsSumOfScaledRandomBases() {
        // fc 2 -> 3 (the output is the larger width) and the MLP's fc1 16 -> 12, fc2 12 -> 10 (the input is)
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[6], new float[3]))) {
            peft.addAdapter("a", new RandLoraSpec(AdapterTargets.modules("fc"), 1, 3.0), 3, 1L);
            AdapterContract.randomise(peft, "a", 2L);
            assertDeltaIsPefts(peft, "fc", 1, 2, 3, 3.0);
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec(4, 0, true, false), MLP_OUTPUTS, 1L);
            AdapterContract.randomise(peft, "a", 2L);
            assertDeltaIsPefts(peft, "fc1", 4, 16, 12, 2.0);
            assertDeltaIsPefts(peft, "fc2", 4, 12, 10, 2.0);
        }
    }

    @Test
    public void basesAreNormalisedBfloat16DrawsThatTheKeyFixes() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec(4, 0, true, false), MLP_OUTPUTS, 1L);
            peft.addAdapter("same", spec(4, 0, true, false), MLP_OUTPUTS, 9L);
            peft.addAdapter("other", spec(4, 1, true, false), MLP_OUTPUTS, 1L);
            peft.addAdapter("sparse", spec(4, 0, true, true), MLP_OUTPUTS, 1L);
            Map<String, TensorData> t = peft.adapterTensors("a");
            // largest out 12 and in 16: M = 16, m = 12, n = 3
            assertArrayEquals(new long[] {4, 1, 12}, t.get("base_model.randlora_A").shape());
            assertArrayEquals(new long[] {16, 3, 4}, t.get("base_model.randlora_B").shape());
            for (String key : new String[] {"base_model.randlora_A", "base_model.randlora_B"}) {
                float[] v = t.get(key).toFloatArray();
                double mean = 0;
                for (float x : v) {
                    assertEquals(RandomBases.bfloat16(x), x, key + " holds bfloat16 values");
                    mean += x;
                }
                mean /= v.length;
                double var = 0;
                for (float x : v) {
                    var += (x - mean) * (x - mean);
                }
                assertEquals(1.0, Math.sqrt(var / (v.length - 1)), 0.01, key + " has unit standard deviation");
            }
            assertEquals(t.get("base_model.randlora_B"), peft.adapterTensors("same").get("base_model.randlora_B"));
            assertNotEquals(t.get("base_model.randlora_B"), peft.adapterTensors("other").get("base_model.randlora_B"));
            float[] sparse = peft.adapterTensors("sparse").get("base_model.randlora_B").toFloatArray();
            float level = 0;
            int zeros = 0;
            for (float x : sparse) {
                if (x == 0) {
                    zeros++;
                } else {
                    level = level == 0 ? Math.abs(x) : level;
                    assertEquals(level, Math.abs(x), "sparse bases take three values");
                }
            }
            assertEquals(2.0 / 3, zeros / (double) sparse.length, 0.1, "two thirds of a sparse basis are zero");
        }
    }

    @Test
    public void roundsToBfloat16LikePyTorch() {
        assertEquals(0.10009765625f, RandomBases.bfloat16(0.1f));
        assertEquals(1f, RandomBases.bfloat16(1 + 0x1p-8f), "a tie goes to the even neighbour");
        assertEquals(1 + 0x1p-6f, RandomBases.bfloat16(1 + 0x1p-7f + 0x1p-8f), "a tie goes to the even neighbour");
        assertEquals(-3.140625f, RandomBases.bfloat16(-3.14159f));
    }

    @Test
    public void parameterCountIsLambdaAndGamma() {
        // fc1 16 -> 12: m = 12, n = 3; fc2 12 -> 10: m = 10, n = 3; r n + n m each
        assertEquals((4 * 3 + 3 * 12) + (4 * 3 + 3 * 10), AdapterContract.trainableCount(spec(4, 0, true, false), MLP, MLP_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(MLP, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", spec(4, 0, true, false), MLP_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(spec(3, 5, true, false), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new RandLoraSpec(AdapterTargets.modules("fc1", "head"), 2, 4, 0, false, false,
                true, 0.1, false), CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheDiagonalsTrainAndItRoundTripsInPeftsLayout(@TempDir Path dir) throws Exception {
        AdapterContract.assertOnlyAdapterTrains(new RandLoraSpec(AdapterTargets.allLinear().saving("head"), 4, 8, 0, true, false,
                false, 0.1, true), MLP, MLP_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec(4, 3, true, false), MLP, MLP_OUTPUTS, dir.resolve("saved"));
        LoadedAdapter saved = AdapterFiles.load(dir.resolve("saved/adapter"));
        // as PEFT's state dict: the shared bases at the tuner and under every layer
        assertTrue(saved.tensors().keySet().containsAll(List.of("base_model.randlora_A", "base_model.randlora_B",
                "base_model.model.fc1.randlora_A", "base_model.model.fc2.randlora_B", "base_model.model.fc1.randlora_lambda",
                "base_model.model.fc2.randlora_gamma")), saved.tensors().keySet().toString());
        // without the bases in the file, loading regenerates them from the key
        AdapterContract.assertSaveLoadRoundTrip(spec(4, 3, false, false), MLP, MLP_OUTPUTS, dir.resolve("regenerated"));
        assertEquals(4, AdapterFiles.load(dir.resolve("regenerated/adapter")).tensors().size());
        AdapterContract.assertSaveLoadRoundTrip(spec(4, 3, false, true), MLP, MLP_OUTPUTS, dir.resolve("sparse"));
        Helpers.testConfigurableRoundtrip(spec(4, 3, false, true));
    }

    @Test
    public void readsPeftsConfiguration() throws Exception {
        String json = "{\"peft_type\": \"RANDLORA\", \"task_type\": null, \"r\": 8, \"randlora_alpha\": 160, "
                + "\"target_modules\": [\"fc2\", \"fc1\"], \"projection_prng_key\": 7, \"save_projection\": false, "
                + "\"sparse\": true, \"very_sparse\": false, \"randlora_dropout\": 0.05, \"fan_in_fan_out\": false, "
                + "\"bias\": \"none\", \"modules_to_save\": [\"head\"], \"init_weights\": true, \"layers_to_transform\": null, "
                + "\"layers_pattern\": null, \"inference_mode\": true, \"base_model_name_or_path\": null, \"revision\": null}";
        AdapterSpec spec = AdapterFiles.parseConfig(json.getBytes(StandardCharsets.UTF_8), "adapter_config.json");
        assertEquals("RandLoraSpec(targets=AdapterTargets([fc2, fc1]),modulesToSave=[head],rank=8,alpha=160.0,"
                + "projectionPrngKey=7,saveProjection=false,sparse=true,verySparse=false,dropout=0.05,initWeights=true)",
                spec.toString());
        assertFalse(spec.savesSharedTensors());
        AdapterFormatException bias = assertThrows(AdapterFormatException.class, () -> AdapterFiles.parseConfig(
                json.replace("\"bias\": \"none\"", "\"bias\": \"all\"").getBytes(StandardCharsets.UTF_8), "adapter_config.json"));
        assertTrue(bias.getMessage().contains("field 'bias' = \"all\" is not supported"), bias.getMessage());
    }

    @Test
    public void rejectsConvolutionsAndBadSettings() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("a",
                    new RandLoraSpec(AdapterTargets.modules("conv1"), 2, 4), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("RANDLORA cannot adapt a CONV2D layer"), e.getMessage());
        }
        AdapterTargets fc1 = AdapterTargets.modules("fc1");
        assertTrue(assertThrows(PropertyException.class, () -> new RandLoraSpec(fc1, 0, 4)).getMessage()
                .contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new RandLoraSpec(fc1, 2, -4)).getMessage()
                .contains("alpha must be positive and finite, found -4.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new RandLoraSpec(fc1, 2, 4, -1, true, false, false, 0, true))
                .getMessage().contains("projectionPrngKey must be >= 0, found -1"));
    }
}
