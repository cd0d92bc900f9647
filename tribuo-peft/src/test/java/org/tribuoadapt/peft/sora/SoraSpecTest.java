package org.tribuoadapt.peft.sora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class SoraSpecTest {

    private static final String GATE = "base_model.model.fc.sora_gate";

    private static Map<String, TensorData> withGate(Map<String, TensorData> tensors, float... gate) {
        Map<String, TensorData> out = new LinkedHashMap<>(tensors);
        out.put(GATE, TensorData.ofFloats(new long[] {gate.length}, gate));
        return out;
    }

    private static SoraModule module(PeftNetwork peft) {
        return (SoraModule) peft.modules("a").get("fc");
    }

    /** Records the gradient of {@code sum(c ⊙ g)}, that is {@code c}, on the gate. */
    private static void gradient(Parameter gate, float... c) {
        try (GradientMode ignored = GradientMode.enabled()) {
            GradientMode.backward(gate.array().mul(gate.array().getManager().create(c)).sum());
        }
    }

    @Test
    public void gateTakesAnAdamStepWithoutWeightDecayThenTheProximalStep() {
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("a", new SoraSpec(AdapterTargets.modules("fc"), 4, 8, 0.0, 0.0, 0.01, 0.0), 2, 1L);
            peft.loadAdapterTensors("a", withGate(peft.adapterTensors("a"), 0.5f, -0.05f, 0.3f, 0.02f));
            peft.setTrainable("a");
            float[] a = peft.adapterTensors("a").get("base_model.model.fc.sora_A").toFloatArray();
            // the trainer's optimiser is AdamW with decay 0.5; the gates use its learning rate (sparseLr = 0) but no decay
            TrainingPlan plan = new TrainingPlan(0, 0, 1, 2, 1, 1);
            try (NetworkOptimiser opt = peft.createOptimiser("a",
                    new AdamOptimiserFactory(0.1, 0.9, 0.999, 1e-8, 0.5, true), plan)) {
                gradient(module(peft).gate(), 1, -2, 0, 0.5f);
                opt.step();
            }
            // Adam's first step moves each gate by lr g / (|g| + eps) = 0.1 sign(g) (0 where g = 0), then
            // g = sign(g) max(|g| - 0.01, 0): 0.4 -> 0.39, 0.05 -> 0.04, 0.3 -> 0.29, -0.08 -> -0.07
            assertArrayEquals(new float[] {0.39f, 0.04f, 0.29f, -0.07f},
                    peft.adapterTensors("a").get(GATE).toFloatArray(), 1e-6f);
            // A has no gradient and is decayed by the trainer's AdamW alone: A (1 - lr wd) = 0.95 A
            float[] decayed = peft.adapterTensors("a").get("base_model.model.fc.sora_A").toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(0.95 * a[i], decayed[i], 1e-6, "sora_A[" + i + "]");
            }
        }
    }

    @Test
    public void gatesHaveTheirOwnLearningRateAndTheThresholdFollowsTheSchedule() {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("fc"), 2, 4, 0.0, 0.0, 0.01, 0.2)
                .withLambdaSchedule(LambdaSchedule.LINEAR, 0.03, 3);
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("a", spec, 2, 1L);
            peft.loadAdapterTensors("a", withGate(peft.adapterTensors("a"), 1f, -1f));
            peft.setTrainable("a");
            Parameter gate = module(peft).gate();
            // 2 examples, batch 1, 3 epochs: 6 planned steps in 3 stages of 2 steps, thresholds 0.01, 0.02, 0.03
            TrainingPlan plan = new TrainingPlan(0, 0, 2, 2, 1, 3);
            List<Parameter> gates = spec.separatelyOptimised(List.copyOf(peft.modules("a").values()));
            assertSame(gate, gates.get(0));
            try (GateOptimiser opt = (GateOptimiser) spec.separateOptimiser(gates, plan, 1e-4)) {
                assertEquals(0.2, opt.learningRate());
                double[] thresholds = new double[7];
                // Adam's steps with a constant gradient all move the gate by lr = 0.2, then the stage's threshold
                // applies: 1 -> 0.79 -> 0.58 -> 0.36 -> 0.14 -> sign(-0.06) max(0.06 - 0.03, 0) = -0.03 -> -0.2 -> -0.37
                float[] expected = {0.79f, 0.58f, 0.36f, 0.14f, -0.03f, -0.2f, -0.37f};
                for (int step = 0; step < thresholds.length; step++) {
                    thresholds[step] = opt.threshold();
                    gradient(gate, 1, -1);
                    opt.step();
                    GradientMode.zeroGradient(gate.array());
                    assertArrayEquals(new float[] {expected[step], -expected[step]}, gate.toFloatArray(), 1e-5f,
                            "step " + step);
                }
                assertArrayEquals(new double[] {0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.03}, thresholds, 1e-12);
            }
        }
    }

    @Test
    public void lambdaSchedulesMatchTheAuthorsFormulas() {
        // linear: np.linspace(1, 10, 4)
        assertArrayEquals(new double[] {1, 4, 7, 10}, LambdaSchedule.LINEAR.values(1, 10, 4), 1e-12);
        // exp_linear: exp(linspace(log 0.01, log 10, 4)), a geometric sequence
        assertArrayEquals(new double[] {0.01, 0.1, 1, 10}, LambdaSchedule.EXP_LINEAR.values(0.01, 10, 4), 1e-12);
        // log_linear: log(linspace(e^0, e^1, 3)), the middle value log((1 + e) / 2) = 0.62011450695827...
        assertArrayEquals(new double[] {0, 0.6201145069582775, 1}, LambdaSchedule.LOG_LINEAR.values(0, 1, 3), 1e-12);
        assertArrayEquals(new double[] {0.5}, LambdaSchedule.LINEAR.values(0.5, 10, 1), 0);
        assertArrayEquals(new double[] {1e-3}, new SoraSpec(AdapterTargets.modules("fc"), 4, 8).lambdas(), 0);
        assertEquals(LambdaSchedule.LOG_LINEAR, LambdaSchedule.fromFileName("log_linear"));
        assertEquals(LambdaSchedule.NONE, LambdaSchedule.fromFileName(null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LambdaSchedule.fromFileName("cosine"))
                .getMessage().contains("unknown lambda_schedule 'cosine'"));
    }

    @Test
    public void l1PenaltyIsSparseLambdaTimesTheMeanAbsoluteGate() {
        SoraSpec spec = new SoraSpec(AdapterTargets.allLinear(), 2, 4, 0.0, 0.1, 1e-3, 0.0);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, 1L);
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            tensors.put("base_model.model.fc1.sora_gate", TensorData.ofFloats(new long[] {2}, new float[] {0.5f, -0.25f}));
            tensors.put("base_model.model.fc2.sora_gate", TensorData.ofFloats(new long[] {2}, new float[] {0f, 1f}));
            peft.loadAdapterTensors("a", tensors);
            List<AdapterModule> modules = List.copyOf(peft.modules("a").values());
            // 0.1 (0.5 + 0.25 + 0 + 1) / 4
            assertEquals(0.04375, spec.trainingPenalty(modules).orElseThrow().getFloat(), 1e-7);
            assertTrue(new SoraSpec(AdapterTargets.allLinear(), 2, 4, 0.0, 0.0, 1e-3, 0.0).trainingPenalty(modules).isEmpty());
        }
    }

    @Test
    public void readsItsFieldsAndFilesWrittenBeforeTheL1Term() throws Exception {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("fc"), 4, 8, 0.0, 0.002, 0.003, 0.05)
                .withLambdaSchedule(LambdaSchedule.EXP_LINEAR, 1, 5);
        String json = spec.toPeftConfig().toString();
        for (String field : new String[] {"\"sparse_lambda\" : 0.002", "\"sparse_lambda_2\" : 0.003", "\"sparse_lr\" : 0.05",
                "\"lambda_schedule\" : \"exp_linear\"", "\"max_lambda\" : 1.0", "\"lambda_num\" : 5"}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertEquals(spec.toString(), SoraSpec.fromPeftConfig(PeftConfigJson.parse(json.getBytes(StandardCharsets.UTF_8),
                "adapter_config.json")).toString());
        // before the L1 term, sparse_lambda was the threshold
        String old = "{\"peft_type\": \"SORA\", \"target_modules\": [\"fc\"], \"r\": 4, \"sora_alpha\": 8.0, "
                + "\"sora_dropout\": 0.0, \"sparse_lambda\": 0.002, \"module_ranks\": {}}";
        SoraSpec read = SoraSpec.fromPeftConfig(PeftConfigJson.parse(old.getBytes(StandardCharsets.UTF_8), "old.json"));
        assertTrue(read.toString().contains("sparseLambda=0.0,sparseLambda2=0.002,sparseLr=0.0"), read.toString());
        assertArrayEquals(new double[] {0.002}, read.lambdas(), 0);
        String unknown = old.replace("\"module_ranks\"", "\"lambda_schedule\": \"cosine\", \"module_ranks\"");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SoraSpec.fromPeftConfig(PeftConfigJson.parse(
                unknown.getBytes(StandardCharsets.UTF_8), "bad.json"))).getMessage()
                .contains("bad.json: unknown lambda_schedule 'cosine'"));
    }

    @Test
    public void exportPrunesZeroGatesWithoutChangingTheOutputs(@TempDir Path dir) throws Exception {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("fc"), 4, 8);
        float[] x = {0.5f, -1};
        float[] expected;
        ExportedAdapter exported;
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("a", spec, 2, 1L);
            AdapterContract.randomise(peft, "a", 3L);
            peft.loadAdapterTensors("a", withGate(peft.adapterTensors("a"), 0.5f, 0, -0.25f, 0));
            peft.setActiveAdapters(List.of("a"));
            expected = AdapterContract.forward(peft.network(), x, 1);
            exported = spec.export(peft.adapterTensors("a"));
            AdapterFiles.save(dir.resolve("sora"), spec, peft.adapterTensors("a"));
        }
        assertEquals(2, ((SoraSpec) exported.spec()).rank("fc"));
        assertArrayEquals(new long[] {2, 2}, exported.tensors().get("base_model.model.fc.sora_A").shape());
        assertArrayEquals(new long[] {2, 2}, exported.tensors().get("base_model.model.fc.sora_B").shape());
        assertArrayEquals(new float[] {0.5f, -0.25f}, exported.tensors().get(GATE).toFloatArray());
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("sora"));
        assertEquals(exported.spec().toString(), loaded.spec().toString());
        assertTrue(loaded.spec().toPeftConfig().toString().contains("\"module_ranks\" : {\n    \"fc\" : 2\n  }"),
                loaded.spec().toPeftConfig().toString());
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("b", loaded.spec(), 2, 5L);
            peft.loadAdapterTensors("b", loaded.tensors());
            peft.setActiveAdapters(List.of("b"));
            assertArrayEquals(expected, AdapterContract.forward(peft.network(), x, 1), 1e-6f);
        }
        // nothing to prune: the spec and tensors are kept as they are
        Map<String, TensorData> dense = withGate(exported.tensors(), 0.5f, -0.25f);
        assertSame(exported.spec(), exported.spec().export(dense).spec());
    }

    @Test
    public void trainingWithALargeThresholdZeroesGatesThatExportPrunes() {
        float[] x = AdapterContract.input(MLP, 24);
        int[] labels = new int[24];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % MLP_OUTPUTS;
        }
        TensorDataset data = new TensorDataset(x, labels, MLP.inputShape());
        // gates start as N(0, 1) and each of the 9 steps moves them 0.1 towards zero, so most of them reach it
        SoraSpec spec = new SoraSpec(AdapterTargets.allLinear(), 6, 12, 0.0, 0.0, 0.1, 0.0);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, TestSeeds.of(7));
            peft.setActiveAdapters(List.of("a"));
            peft.setTrainable("a");
            TrainingPlan plan = new TrainingPlan(0, 0, 24, 16, 8, 3);
            try (NetworkOptimiser opt = peft.createOptimiser("a", new AdamOptimiserFactory(0.01), plan)) {
                new TrainingLoop(3, 8, 0, 1).fit(peft.network(), opt, data, null,
                        peft.withPenalty("a", BatchObjective.crossEntropy()), new SplittableRandom(TestSeeds.of(1)),
                        TrainingListener.NONE);
            }
            Map<String, Integer> ranks = peft.ranks("a");
            assertTrue(ranks.get("fc1") < 6 && ranks.get("fc2") < 6, "gates reach zero: " + ranks);
            float[] adapted = AdapterContract.forward(peft.network(), x, 24);
            ExportedAdapter exported = spec.export(peft.adapterTensors("a"));
            assertEquals(Math.max(1, ranks.get("fc1")), ((SoraSpec) exported.spec()).rank("fc1"));
            try (PeftNetwork pruned = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
                pruned.addAdapter("p", exported.spec(), MLP_OUTPUTS, 1L);
                pruned.loadAdapterTensors("p", exported.tensors());
                pruned.setActiveAdapters(List.of("p"));
                AdapterContract.assertClose(adapted, AdapterContract.forward(pruned.network(), x, 24), 1e-6, "pruned");
            }
        }
    }

    @Test
    public void parameterCountIsRankTimesFanInOutputsAndGate() {
        assertEquals(4 * (16 + 12 + 1) + 4 * (12 + 10 + 1), AdapterContract.trainableCount(
                new SoraSpec(AdapterTargets.allLinear(), 4, 8), MLP, MLP_OUTPUTS));
        // a pruned module has its recorded rank
        assertEquals(2 * (16 + 12 + 1) + 4 * (12 + 10 + 1), AdapterContract.trainableCount(
                new SoraSpec(AdapterTargets.allLinear(), 4, 8).withModuleRanks(Map.of("fc1", 2)), MLP, MLP_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new SoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 4), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new SoraSpec(AdapterTargets.allLinear(), 3, 6), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new SoraSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2, 4, 0.1, 1e-3,
                1e-3, 0.0), CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 4, 0.1, 1e-3,
                1e-3, 0.0).withLambdaSchedule(LambdaSchedule.LOG_LINEAR, 0.5, 3).withModuleRanks(Map.of("conv1", 1));
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
        Map<String, ?> configured = spec.getProvenance().getConfiguredParameters();
        for (String option : new String[] {"sparseLambda", "sparseLambda2", "sparseLr", "lambdaSchedule", "maxLambda",
                "lambdaNum"}) {
            assertTrue(configured.containsKey(option), option + " in " + configured.keySet());
        }
    }

    @Test
    public void rejectsBadSettings() {
        AdapterTargets fc1 = AdapterTargets.modules("fc1");
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 0, 8))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 0))
                .getMessage().contains("alpha must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 8, 0, -1e-3, 1e-3, 0))
                .getMessage().contains("sparseLambda must be finite and at least 0, found -0.001"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 8, 0, 1e-3, Double.NaN, 0))
                .getMessage().contains("sparseLambda2 must be finite and at least 0, found NaN"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 8, 0, 1e-3, 1e-3, -1))
                .getMessage().contains("sparseLr must be finite and at least 0, found -1.0"));
        SoraSpec spec = new SoraSpec(fc1, 4, 8);
        assertTrue(assertThrows(PropertyException.class, () -> spec.withLambdaSchedule(LambdaSchedule.LINEAR, 1, 0))
                .getMessage().contains("lambdaNum must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 8, 0, 0, 0, 0)
                .withLambdaSchedule(LambdaSchedule.EXP_LINEAR, 1, 3)).getMessage()
                .contains("the EXP_LINEAR schedule is geometric, so sparseLambda2 and maxLambda must be positive"));
        assertTrue(assertThrows(PropertyException.class, () -> spec.withLambdaSchedule(LambdaSchedule.LOG_LINEAR, 800, 3))
                .getMessage().contains("overflows for 800.0"));
        assertTrue(assertThrows(PropertyException.class, () -> spec.withModuleRanks(Map.of("fc1", 5)))
                .getMessage().contains("moduleRanks['fc1'] must be between 1 and the rank 4, found 5"));
    }
}
