package org.tribuoadapt.peft.poly;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;
import static org.tribuoadapt.peft.SingleLayerNetworks.tensor;

public class PolySpecTest {

    private static final float LN3 = (float) Math.log(3);

    private static PolySpec spec(AdapterTargets targets, int tasks, int skills, int splits, int task) {
        return new PolySpec(targets, 2, tasks, skills, splits, task, true);
    }

    @Test
    public void polyRoutingIsTheNormalisedSigmoidMixture() {
        // logits [0, ln 3]: sigmoid 1/2 and 3/4, normalised 0.4 and 0.6; A_0 = [1, 0]^T, A_1 = [0, 1]^T, B_0 = [1, 0],
        // B_1 = [0, 1]: A = [0.4, 0.6]^T, B = [0.4, 0.6], r = 1; x = [1, 1] gives x A B / r = [0.4, 0.6]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[4], new float[2]))) {
            peft.addAdapter("p", new PolySpec(AdapterTargets.modules("fc"), 1, 1, 2, 1, 0, true), 2, 1L);
            peft.loadAdapterTensors("p", Map.ofEntries(tensor("poly_lora_A", new long[] {1, 2, 2, 1}, 1, 0, 0, 1),
                    tensor("poly_lora_B", new long[] {1, 2, 1, 2}, 1, 0, 0, 1),
                    tensor("poly_router.module_logits", new long[] {1, 2}, 0, LN3)));
            peft.setActiveAdapters(List.of("p"));
            assertArrayEquals(new float[] {0.4f, 0.6f}, AdapterContract.forward(peft.network(), new float[] {1, 1}, 1), 1e-6f);
            try (GradientMode ignored = GradientMode.disabled()) {
                assertArrayEquals(new float[] {0.4f, 0.6f}, ((PolyModule) peft.modules("p").get("fc")).routing().toFloatArray(), 1e-6f);
            }
            assertEquals(1, peft.ranks("p").get("fc"));
        }
    }

    @Test
    public void mhrRoutesEachHeadSeparately() {
        // two heads: head 0 owns input 0 and output 0, head 1 input 1 and output 1; r = 1, two skills.
        // logits [0, ln 3 | ln 3, 0]: head 0 routes [0.4, 0.6], head 1 [0.6, 0.4].
        // A [q, s]: 1, 2 | 3, 4 -> A_0 = 1.6, A_1 = 3.4; B [q, s]: 1, 0 | 0, 2 -> B_0 = 0.4, B_1 = 0.8.
        // x = [1, 1]: x A = 5, so the update is [2, 4]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[4], new float[2]))) {
            peft.addAdapter("p", new PolySpec(AdapterTargets.modules("fc"), 1, 1, 2, 2, 0, true), 2, 1L);
            peft.loadAdapterTensors("p", Map.ofEntries(tensor("poly_lora_A", new long[] {2, 2, 1, 1}, 1, 2, 3, 4),
                    tensor("poly_lora_B", new long[] {2, 2, 1, 1}, 1, 0, 0, 2),
                    tensor("poly_router.module_logits", new long[] {1, 4}, 0, LN3, LN3, 0)));
            peft.setActiveAdapters(List.of("p"));
            assertArrayEquals(new float[] {2, 4}, AdapterContract.forward(peft.network(), new float[] {1, 1}, 1), 1e-5f);
        }
    }

    /**
     * MHR whose heads share one routing is Poly with each skill's heads concatenated: {@code A} stacked along the
     * inputs, {@code B} along the outputs.
     */
    @Test
    public void mhrWithTiedHeadsIsPoly() {
        int splits = 2;
        int skills = 3;
        int tasks = 2;
        int r = 2;
        int in = 16;
        int out = 12;
        SplittableRandom rng = new SplittableRandom(4);
        float[] mhrA = randoms(splits * skills * (in / splits) * r, rng);
        float[] mhrB = randoms(splits * skills * r * (out / splits), rng);
        float[] taskLogits = randoms(tasks * skills, rng);
        float[] mhrLogits = new float[tasks * splits * skills];
        float[] polyA = new float[skills * in * r];
        float[] polyB = new float[skills * r * out];
        for (int t = 0; t < tasks; t++) {
            for (int q = 0; q < splits; q++) {
                System.arraycopy(taskLogits, t * skills, mhrLogits, (t * splits + q) * skills, skills);
            }
        }
        int d = in / splits;
        int o = out / splits;
        for (int q = 0; q < splits; q++) {
            for (int s = 0; s < skills; s++) {
                for (int i = 0; i < d; i++) {
                    for (int k = 0; k < r; k++) {
                        polyA[(s * in + q * d + i) * r + k] = mhrA[((q * skills + s) * d + i) * r + k];
                    }
                }
                for (int k = 0; k < r; k++) {
                    for (int j = 0; j < o; j++) {
                        polyB[(s * r + k) * out + q * o + j] = mhrB[((q * skills + s) * r + k) * o + j];
                    }
                }
            }
        }
        float[] x = AdapterContract.input(MLP, 3);
        for (int t = 0; t < tasks; t++) {
            float[] mhr = output(new PolySpec(AdapterTargets.modules("fc1"), r, tasks, skills, splits, t, true), Map.of(
                    "poly_lora_A", TensorData.ofFloats(new long[] {splits, skills, d, r}, mhrA),
                    "poly_lora_B", TensorData.ofFloats(new long[] {splits, skills, r, o}, mhrB),
                    "poly_router.module_logits", TensorData.ofFloats(new long[] {tasks, splits * skills}, mhrLogits)), x);
            float[] poly = output(new PolySpec(AdapterTargets.modules("fc1"), r, tasks, skills, 1, t, true), Map.of(
                    "poly_lora_A", TensorData.ofFloats(new long[] {1, skills, in, r}, polyA),
                    "poly_lora_B", TensorData.ofFloats(new long[] {1, skills, r, out}, polyB),
                    "poly_router.module_logits", TensorData.ofFloats(new long[] {tasks, skills}, taskLogits)), x);
            AdapterContract.assertClose(poly, mhr, 1e-5, "task " + t);
        }
    }

    private static float[] randoms(int n, SplittableRandom rng) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return values;
    }

    /** The MLP's output with the adapter's fc1 tensors set. */
    private static float[] output(PolySpec spec, Map<String, TensorData> fc1, float[] x) {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("p", spec, MLP_OUTPUTS, 1L);
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            fc1.forEach((name, value) -> tensors.put(PeftNetwork.MODEL_PREFIX + "fc1." + name, value));
            peft.loadAdapterTensors("p", tensors);
            peft.setActiveAdapters(List.of("p"));
            return AdapterContract.forward(peft.network(), x, 3);
        }
    }

    @Test
    public void averagedRoutingIsTheMeanOfTheTasksRoutings() {
        // two tasks, logits [0, ln 3] and [ln 3, ln 3]: routings [0.4, 0.6] and [0.5, 0.5], mean [0.45, 0.55]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[4], new float[2]))) {
            peft.addAdapter("p", new PolySpec(AdapterTargets.modules("fc"), 1, 2, 2, 1, PolySpec.AVERAGE_OF_TASKS, true), 2, 1L);
            peft.loadAdapterTensors("p", Map.ofEntries(tensor("poly_lora_A", new long[] {1, 2, 2, 1}, 1, 0, 0, 1),
                    tensor("poly_lora_B", new long[] {1, 2, 1, 2}, 1, 0, 0, 1),
                    tensor("poly_router.module_logits", new long[] {2, 2}, 0, LN3, LN3, LN3)));
            try (GradientMode ignored = GradientMode.disabled()) {
                assertArrayEquals(new float[] {0.45f, 0.55f}, ((PolyModule) peft.modules("p").get("fc")).routing().toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    public void muCollapseEqualsTheAveragedMixture() {
        PolySpec averaged = spec(AdapterTargets.allLinear(), 3, 4, 2, PolySpec.AVERAGE_OF_TASKS);
        float[] x = AdapterContract.input(MLP, 5);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("p", averaged, MLP_OUTPUTS, 7L);
            AdapterContract.randomise(peft, "p", 9L);
            peft.setActiveAdapters(List.of("p"));
            float[] mixture = AdapterContract.forward(peft.network(), x, 5);
            Map<String, TensorData> lora = AveragedRouting.loraTensors(peft, "p");
            assertEquals(List.of(2L, 16L), List.of(lora.get(PeftNetwork.MODEL_PREFIX + "fc1.lora_A.weight").shape()[0],
                    lora.get(PeftNetwork.MODEL_PREFIX + "fc1.lora_A.weight").shape()[1]));
            peft.addAdapter("mu", AveragedRouting.loraSpec(averaged), MLP_OUTPUTS, 3L);
            peft.loadAdapterTensors("mu", lora);
            peft.setActiveAdapters(List.of("mu"));
            AdapterContract.assertClose(mixture, AdapterContract.forward(peft.network(), x, 5), 1e-5, "MHR-mu");
        }
    }

    @Test
    public void parameterCountIsTheInventoryAndTheRouting() {
        // fc1 16 -> 12 and fc2 12 -> 10, r = 2, 4 skills, 3 tasks, 2 heads: skills r (in + out) each, logits 3 x 2 x 4
        long fc1 = 4L * 2 * (16 + 12) + 3 * 2 * 4;
        long fc2 = 4L * 2 * (12 + 10) + 3 * 2 * 4;
        assertEquals(fc1 + fc2, AdapterContract.trainableCount(spec(AdapterTargets.allLinear(), 3, 4, 2, 0), MLP, MLP_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactlyForAFixedTask() {
        float[] x = AdapterContract.input(MLP, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("p", spec(AdapterTargets.allLinear(), 2, 4, 2, 1), MLP_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("p"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(spec(AdapterTargets.allLinear(), 3, 4, 1, 2), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(spec(AdapterTargets.allLinear(), 3, 4, 2, 0), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(spec(AdapterTargets.allLinear(), 3, 4, 2, PolySpec.AVERAGE_OF_TASKS),
                MLP, MLP_OUTPUTS);
    }

    @Test
    public void sameSeedGivesIdenticalAdaptersAndTraining() {
        PolySpec spec = spec(AdapterTargets.allLinear().saving("head"), 2, 3, 2, 1);
        assertEquals(trainedTensors(spec), trainedTensors(spec));
    }

    private static Map<String, TensorData> trainedTensors(PolySpec spec) {
        float[] x = AdapterContract.input(MLP, 16);
        int[] labels = new int[16];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % MLP_OUTPUTS;
        }
        TensorDataset data = new TensorDataset(x, labels, MLP.inputShape());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("p", spec, MLP_OUTPUTS, 5L);
            peft.setActiveAdapters(List.of("p"));
            peft.setTrainable("p");
            TrainingPlan plan = new TrainingPlan(0, 0, 16, 1, 8, 2);
            try (NetworkOptimiser opt = new AdamOptimiserFactory(0.05)
                    .create(peft.network().trainableParameters(), plan)) {
                new TrainingLoop(2, 8, 0, 1).fit(peft.network(), opt, data, null,
                        BatchObjective.crossEntropy(), new SplittableRandom(1),
                        TrainingListener.NONE);
            }
            return peft.adapterTensors("p");
        }
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        PolySpec spec = spec(AdapterTargets.modules("fc1", "fc2").saving("head"), 3, 4, 2, 0);
        AdapterContract.assertOnlyAdapterTrains(spec, MLP, MLP_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, MLP, MLP_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
        Helpers.testConfigurableRoundtrip(spec(AdapterTargets.modules("fc1"), 3, 4, 2, PolySpec.AVERAGE_OF_TASKS));
    }

    /** PEFT's {@code PolyConfig} fields and its tensor names and shapes. */
    @Test
    public void filesHavePeftsPolyLayout(@TempDir Path dir) throws Exception {
        PolySpec spec = spec(AdapterTargets.modules("fc1"), 3, 4, 2, 0);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("p", spec, MLP_OUTPUTS, 1L);
            AdapterFiles.save(dir, spec, peft.adapterTensors("p"));
        }
        PeftConfigJson json = PeftConfigJson.parse(Files.readAllBytes(dir.resolve("adapter_config.json")), "config");
        assertEquals("POLY", json.peftType());
        assertEquals("poly", json.string("poly_type", null));
        assertEquals(List.of(2, 3, 4, 2), List.of(json.integer("r", 0), json.integer("n_tasks", 0),
                json.integer("n_skills", 0), json.integer("n_splits", 0)));
        assertTrue(json.bool("init_weights", false));
        assertEquals(List.of("fc1"), json.strings("target_modules"));
        LoadedAdapter loaded = AdapterFiles.load(dir);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        loaded.tensors().forEach((key, value) -> shapes.put(key, value.shape()));
        assertEquals(3, shapes.size(), shapes.keySet().toString());
        assertArrayEquals(new long[] {2, 4, 8, 2}, shapes.get("base_model.model.fc1.poly_lora_A"));
        assertArrayEquals(new long[] {2, 4, 2, 6}, shapes.get("base_model.model.fc1.poly_lora_B"));
        assertArrayEquals(new long[] {3, 8}, shapes.get("base_model.model.fc1.poly_router.module_logits"));
        assertTrue(new String(Files.readAllBytes(dir.resolve("adapter_config.json")), StandardCharsets.UTF_8)
                .contains("\"peft_type\""));
    }

    @Test
    public void rejectsImpossibleSettings() {
        AdapterTargets fc1 = AdapterTargets.modules("fc1");
        assertTrue(assertThrows(PropertyException.class, () -> new PolySpec(fc1, 2, 1, 0, 1, 0, true))
                .getMessage().contains("nSkills must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new PolySpec(fc1, 0, 1, 2, 1, 0, true))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new PolySpec(fc1, 2, 0, 2, 1, 0, true))
                .getMessage().contains("nTasks must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new PolySpec(fc1, 2, 1, 2, 0, 0, true))
                .getMessage().contains("nSplits must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new PolySpec(fc1, 2, 3, 2, 1, 3, true))
                .getMessage().contains("task 3 is not one of the 3 tasks (0 to 2); use averageTasks"));
        assertTrue(assertThrows(PropertyException.class, () -> spec(fc1, 3, 2, 1, 0).forTask(-2))
                .getMessage().contains("task -2 is not one of the 3 tasks"));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("p", spec(AdapterTargets.modules("fc2"), 1, 2, 4, 0), MLP_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("Poly at 'fc2': nSplits 4 must divide the layer's 12 inputs and 10 outputs"),
                    e.getMessage());
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            Exception e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("p", spec(AdapterTargets.modules("conv1"), 1, 2, 1, 0), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("conv1"), e.getMessage());
        }
    }
}
