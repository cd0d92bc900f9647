package org.tribuoadapt.peft.increlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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

public class IncreLoraSpecTest {

    /** An optimiser that changes nothing, so that the allocator's own bookkeeping can be checked. */
    private static final NetworkOptimiser NO_STEP = new NetworkOptimiser() {
        @Override
        public void step() {}

        @Override
        public double learningRate() {
            return 1;
        }

        @Override
        public void close() {}
    };

    private static TensorData tensor(long[] shape, float... values) {
        return TensorData.ofFloats(shape, values);
    }

    private static List<IncreLoraModule> modules(PeftNetwork peft) {
        List<IncreLoraModule> out = new ArrayList<>();
        for (AdapterModule m : peft.modules("a").values()) {
            out.add((IncreLoraModule) m);
        }
        return out;
    }

    /** The MLP's two hidden Linear layers (fc1 16 -> 12, fc2 12 -> 10) adapted. */
    private static PeftNetwork mlp(IncreLoraSpec spec) {
        PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS));
        peft.addAdapter("a", spec, MLP_OUTPUTS, 7L);
        return peft;
    }

    @Test
    public void importanceScoreIsTheProductOfTheSmoothedSensitivityAndUncertainty() {
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.allLinear(), 1, 2, 4, 100, 100, 1);
        try (PeftNetwork peft = mlp(spec); RankAllocator allocator = new RankAllocator(NO_STEP, modules(peft), spec, 4)) {
            allocator.record(new double[] {1, 2});
            // I = 0.15 I_t; U = 0.15 |I_t - I|: fc1 0.15 * 0.1275, fc2 0.3 * 0.255
            assertArrayEquals(new double[] {0.019125, 0.0765}, allocator.scores(), 1e-12);
            allocator.record(new double[] {3, 0});
            // fc1: I = 0.85 * 0.15 + 0.15 * 3 = 0.5775, U = 0.85 * 0.1275 + 0.15 * |3 - 0.5775| = 0.47175
            // fc2: I = 0.85 * 0.3 = 0.255, U = 0.85 * 0.255 + 0.15 * 0.255 = 0.255
            assertArrayEquals(new double[] {0.5775 * 0.47175, 0.255 * 0.255}, allocator.scores(), 1e-12);
        }
    }

    @Test
    public void sensitivityIsTheSumOfUpdateTimesItsGradientOverTheRootOfItsSize() {
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.modules("fc"), 1, 2, 2, 0, 1, 1)
                .withAllocation(0, 1, false, 0.1).withScaling(1, 0);
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("a", spec, 2, 1L);
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            // the second row has λ = 0 and no effect
            tensors.put("base_model.model.fc.lora_A", tensor(new long[] {2, 2}, 1, 0, 5, 5));
            tensors.put("base_model.model.fc.lora_E", tensor(new long[] {2}, 2, 0));
            tensors.put("base_model.model.fc.lora_B", tensor(new long[] {2, 2}, 1, 7, 0.5f, 7));
            peft.loadAdapterTensors("a", tensors);
            peft.setActiveAdapters(List.of("a"));
            IncreLoraModule module = modules(peft).get(0);
            module.setScoring(true);
            NDManager manager = peft.network().manager();
            try (NDManager m = manager.newSubManager(); GradientMode ignored = GradientMode.enabled()) {
                NDArray y = peft.network().forward(m.create(new float[] {1, 3}, new Shape(1, 2)), ForwardContext.training(m));
                GradientMode.backward(y.mul(m.create(new float[] {1, -2}, new Shape(1, 2))).sum());
            }
            // ΔW = B[:, 0] 2 A[0] = [[2, 0], [1, 0]]; ∂L/∂ΔW = c xᵀ = [[1, 3], [-2, -6]]; sum |ΔW ∂L/∂ΔW| / sqrt(4) = 4 / 2
            assertEquals(2.0, module.sensitivity(), 1e-6);
            module.setScoring(false);
        }
    }

    @Test
    public void rankGrowsExactlyAtTheIntervalForTheHighestScoredModule() {
        // warm-up 2 steps, an increment every 3 steps: the first after step 3, to the top module only
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.allLinear(), 1, 2, 4, 2, 3, 1).withAllocation(0, 1, true, 0.1);
        try (PeftNetwork peft = mlp(spec); RankAllocator allocator = new RankAllocator(NO_STEP, modules(peft), spec, 4)) {
            for (int step = 1; step <= 6; step++) {
                allocator.record(step < 4 ? new double[] {1, 5} : new double[] {50, 0});
                allocator.advance();
                assertEquals(step < 3 ? Map.of("fc1", 1, "fc2", 1) : step < 6 ? Map.of("fc1", 1, "fc2", 2)
                        : Map.of("fc1", 2, "fc2", 2), peft.ranks("a"), "after step " + step);
            }
            // the budget 4 is spent: scoring stops and the reserves are dropped
            assertEquals(4, allocator.totalRank());
            assertTrue(!allocator.growing());
            for (IncreLoraModule m : modules(peft)) {
                assertEquals(2, m.usedRows());
            }
        }
    }

    @Test
    public void budgetIsNeverPassedAndReservesFollowTheRank() {
        // two modules at rank 1, increments of 2 to both, but a total budget of 3: only one rank is left to give
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.allLinear(), 1, 2, 4, 0, 1, 2).withAllocation(3, 2, true, 0.1);
        try (PeftNetwork peft = mlp(spec)) {
            List<IncreLoraModule> modules = modules(peft);
            // with advance learning each module starts with rank 1 and two reserve rows of λ = 1e-5
            float[] lambda = peft.adapterTensors("a").get("base_model.model.fc1.lora_E").toFloatArray();
            assertArrayEquals(new float[] {0, 1e-5f, 1e-5f, 0, 0, 0}, lambda);
            assertEquals(3, modules.get(0).usedRows());
            try (RankAllocator allocator = new RankAllocator(NO_STEP, modules, spec, spec.budget(modules.size()))) {
                allocator.record(new double[] {1, 3});
                allocator.advance();
                assertEquals(Map.of("fc1", 1, "fc2", 2), peft.ranks("a"));
                assertEquals(3, allocator.totalRank());
                for (int i = 0; i < 5; i++) {
                    allocator.advance();
                }
                assertEquals(Map.of("fc1", 1, "fc2", 2), peft.ranks("a"));
            }
            assertEquals(1, modules.get(0).usedRows());
            assertEquals(2, modules.get(1).usedRows());
            assertArrayEquals(new float[] {0, 1e-5f, 0, 0, 0, 0},
                    peft.adapterTensors("a").get("base_model.model.fc2.lora_E").toFloatArray());
        }
        IncreLoraSpec tooSmall = new IncreLoraSpec(AdapterTargets.allLinear()).withAllocation(1, 0, true, 0.1);
        try (PeftNetwork peft = mlp(tooSmall)) {
            List<AdapterModule> modules = List.copyOf(peft.modules("a").values());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> tooSmall.adaptOptimiser(NO_STEP, modules))
                    .getMessage().contains("already hold a total rank of 2, more than the budget 1"));
        }
    }

    @Test
    public void orthogonalityPenaltyOnAHandCase() {
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.modules("fc"), 1, 2, 2, 0, 1, 1)
                .withAllocation(0, 1, false, 0.1);
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("a", spec, 2, 1L);
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            // the second row is unused (rank 1, no reserve) and is left out whatever it holds
            tensors.put("base_model.model.fc.lora_A", tensor(new long[] {2, 2}, 1, 1, 9, 9));
            tensors.put("base_model.model.fc.lora_B", tensor(new long[] {2, 2}, 2, 9, 0, 9));
            peft.loadAdapterTensors("a", tensors);
            List<AdapterModule> modules = List.copyOf(peft.modules("a").values());
            // PᵀP = 4: (4 - 1)² = 9; QQᵀ = 2: (2 - 1)² = 1; 0.1 (9 + 1) / 2
            assertEquals(0.5, spec.trainingPenalty(modules).orElseThrow().getFloat(), 1e-6);
            assertTrue(spec.withAllocation(0, 1, false, 0).trainingPenalty(modules).isEmpty());
        }
    }

    @Test
    public void sameSeedTrainsIdenticalWeightsAndRanksGrowUnderTheBudget() {
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.allLinear(), 1, 2, 4, 1, 2, 1);
        Map<String, TensorData> first = null;
        for (int run = 0; run < 2; run++) {
            Map<String, TensorData> tensors = train(spec);
            if (first == null) {
                first = tensors;
            } else {
                assertEquals(first, tensors);
            }
        }
        // fc1 and fc2 start at rank 1 and reach the budget 4 after the increments at steps 2 and 4 (of 6)
        int total = 0;
        for (Map.Entry<String, TensorData> e : first.entrySet()) {
            if (e.getKey().endsWith(".ranknum")) {
                total += Math.round(e.getValue().toFloatArray()[0]);
            }
        }
        assertEquals(4, total);
    }

    private static Map<String, TensorData> train(IncreLoraSpec spec) {
        float[] x = AdapterContract.input(MLP, 24);
        int[] labels = new int[24];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % MLP_OUTPUTS;
        }
        TensorDataset data = new TensorDataset(x, labels, MLP.inputShape());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, TestSeeds.of(7));
            peft.setActiveAdapters(List.of("a"));
            peft.setTrainable("a");
            TrainingPlan plan = new TrainingPlan(0, 0, 24, 16, 8, 2);
            try (NetworkOptimiser opt = peft.createOptimiser("a", new AdamOptimiserFactory(0.01), plan)) {
                new TrainingLoop(2, 8, 0, 1).fit(peft.network(), opt, data, null,
                        peft.withPenalty("a", BatchObjective.crossEntropy()), new SplittableRandom(TestSeeds.of(1)),
                        TrainingListener.NONE);
            }
            return peft.adapterTensors("a");
        }
    }

    @Test
    public void mergesExactlyAndStartsAsANoOp() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new IncreLoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1")), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            // λ is zero but for the reserve's 1e-5
            AdapterContract.assertClose(base, AdapterContract.forward(peft.network(), x, 2), 1e-5, "fresh adapter");
        }
        AdapterContract.assertMergeEqualsUnmerged(new IncreLoraSpec(AdapterTargets.allLinear()), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new IncreLoraSpec(AdapterTargets.modules("conv1", "conv2", "head"))
                .withScaling(8, 0.1), CNN, CNN_OUTPUTS);
    }

    @Test
    public void parameterCountIsTheRowsTimesFanInOutputsAndLambda() {
        // maxRank 4 plus one reserve row (incrementRank = targetRank / 2 = 1)
        assertEquals(5 * (16 + 12 + 1) + 5 * (12 + 10 + 1), AdapterContract.trainableCount(
                new IncreLoraSpec(AdapterTargets.allLinear(), 1, 2, 4, 10, 10, 1), MLP, MLP_OUTPUTS));
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 1, 2, 3,
                5, 5, 2).withScaling(16, 0.1);
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
        Map<String, ?> configured = spec.getProvenance().getConfiguredParameters();
        for (String option : new String[] {"targetRank", "maxRank", "incrementRank", "topH", "initWarmup",
                "incrementInterval", "advanceLearn", "beta1", "beta2", "orthRegWeight", "rankPattern"}) {
            assertTrue(configured.containsKey(option), option + " in " + configured.keySet());
        }
    }

    @Test
    public void exportCutsUnusedRowsAndRecordsTheRankAllocation(@TempDir Path dir) throws Exception {
        IncreLoraSpec spec = new IncreLoraSpec(AdapterTargets.allLinear(), 1, 2, 4, 0, 1, 1);
        float[] x = AdapterContract.input(MLP, 3);
        float[] expected;
        ExportedAdapter exported;
        try (PeftNetwork peft = mlp(spec)) {
            try (RankAllocator allocator = new RankAllocator(NO_STEP, modules(peft), spec, 4)) {
                allocator.record(new double[] {0, 1});
                allocator.advance();
            }
            // fc2 has rank 2 and a reserve row; give every used λ a visible value
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            tensors.put("base_model.model.fc2.lora_E", tensor(new long[] {5}, 0.5f, -0.25f, 1e-5f, 0, 0));
            tensors.put("base_model.model.fc1.lora_E", tensor(new long[] {5}, 0.75f, 1e-5f, 0, 0, 0));
            peft.loadAdapterTensors("a", tensors);
            peft.setActiveAdapters(List.of("a"));
            expected = AdapterContract.forward(peft.network(), x, 3);
            exported = spec.export(peft.adapterTensors("a"));
            AdapterFiles.save(dir.resolve("increlora"), spec, peft.adapterTensors("a"));
        }
        IncreLoraSpec cut = (IncreLoraSpec) exported.spec();
        assertEquals(2, cut.rank("fc2"));
        assertEquals(3, cut.storedRows("fc2"));
        assertEquals(1, cut.rank("fc1"));
        assertEquals(2, cut.storedRows("fc1"));
        assertArrayEquals(new long[] {3, 12}, exported.tensors().get("base_model.model.fc2.lora_A").shape());
        assertArrayEquals(new long[] {10, 3}, exported.tensors().get("base_model.model.fc2.lora_B").shape());
        assertTrue(cut.getProvenance().getConfiguredParameters().get("rankPattern").toString().contains("fc2"));
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("increlora"));
        assertEquals(cut.toString(), loaded.spec().toString());
        String json = loaded.spec().toPeftConfig().toString();
        assertTrue(json.contains("\"rank_pattern\" : {\n    \"fc1\" : 1,\n    \"fc2\" : 2\n  }"), json);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("b", loaded.spec(), MLP_OUTPUTS, 5L);
            peft.loadAdapterTensors("b", loaded.tensors());
            peft.setActiveAdapters(List.of("b"));
            assertArrayEquals(expected, AdapterContract.forward(peft.network(), x, 3), 1e-6f);
        }
        assertEquals(cut.toString(), IncreLoraSpec.fromPeftConfig(PeftConfigJson.parse(
                cut.toPeftConfig().toString().getBytes(StandardCharsets.UTF_8), "adapter_config.json")).toString());
    }

    @Test
    public void rejectsBadSettings() {
        AdapterTargets fc1 = AdapterTargets.modules("fc1");
        assertTrue(assertThrows(PropertyException.class, () -> new IncreLoraSpec(fc1, 0, 2, 8, 10, 10, 1))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new IncreLoraSpec(fc1, 4, 2, 8, 10, 10, 1))
                .getMessage().contains("rank <= targetRank <= maxRank, found 4, 2 and 8"));
        assertTrue(assertThrows(PropertyException.class, () -> new IncreLoraSpec(fc1, 1, 6, 4, 10, 10, 1))
                .getMessage().contains("rank <= targetRank <= maxRank, found 1, 6 and 4"));
        assertTrue(assertThrows(PropertyException.class, () -> new IncreLoraSpec(fc1, 1, 2, 8, 10, 0, 1))
                .getMessage().contains("incrementInterval must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new IncreLoraSpec(fc1, 1, 2, 8, -1, 10, 1))
                .getMessage().contains("initWarmup must be at least 0, found -1"));
        assertTrue(assertThrows(PropertyException.class, () -> new IncreLoraSpec(fc1, 1, 1, 8, 10, 10, 1))
                .getMessage().contains("incrementRank must be positive, or 0 with a targetRank of at least 2"));
        IncreLoraSpec spec = new IncreLoraSpec(fc1);
        assertTrue(assertThrows(PropertyException.class, () -> spec.withAllocation(0, 1, true, Double.NaN))
                .getMessage().contains("orthRegWeight must be finite and at least 0, found NaN"));
        assertTrue(assertThrows(PropertyException.class, () -> spec.withAllocation(-1, 1, true, 0.1))
                .getMessage().contains("targetTotalRank must be 0"));
        assertTrue(assertThrows(PropertyException.class, () -> spec.withScaling(8, 1.0))
                .getMessage().contains("dropout must be in [0, 1), found 1.0"));
        String badPattern = "{\"peft_type\": \"INCRELORA\", \"target_modules\": [\"fc1\"], \"rank_pattern\": {\"fc1\": 3}, "
                + "\"stored_rows\": {\"fc1\": 2}}";
        String message = assertThrows(IllegalArgumentException.class, () -> IncreLoraSpec.fromPeftConfig(
                PeftConfigJson.parse(badPattern.getBytes(StandardCharsets.UTF_8), "bad.json"))).getMessage();
        assertTrue(message.contains("bad.json: ") && message.contains("rankPattern['fc1'] must be at least 1 and at "
                + "most storedRows['fc1'], found 3 and 2"), message);
        String badBeta = "{\"peft_type\": \"INCRELORA\", \"target_modules\": [\"fc1\"], \"beta1\": 1.0}";
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IncreLoraSpec.fromPeftConfig(PeftConfigJson.parse(
                badBeta.getBytes(StandardCharsets.UTF_8), "beta.json"))).getMessage()
                .contains("beta1 must be in (0, 1), found 1.0"));
    }
}
