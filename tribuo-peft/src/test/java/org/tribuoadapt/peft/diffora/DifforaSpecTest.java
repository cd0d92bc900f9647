package org.tribuoadapt.peft.diffora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftMethods;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class DifforaSpecTest {

    private static final String PREFIX = PeftNetwork.MODEL_PREFIX;

    private static Map<String, TensorData> withLogits(Map<String, TensorData> tensors, Map<String, Float> logits) {
        Map<String, TensorData> out = new LinkedHashMap<>(tensors);
        for (Map.Entry<String, Float> e : logits.entrySet()) {
            out.put(PREFIX + e.getKey() + "." + DifforaModule.LOGIT, TensorData.ofFloats(new long[] {1}, new float[] {e.getValue()}));
        }
        return out;
    }

    @Test
    public void mixingWeightIsTheTwoWaySoftmaxWithTheNoAdapterLogitAtZero() {
        assertEquals(0.5, ModuleSelection.mixingWeight(0), 0.0);
        assertEquals(0.75, ModuleSelection.mixingWeight(Math.log(3)), 1e-15);
        assertEquals(0.25, ModuleSelection.mixingWeight(-Math.log(3)), 1e-15);
        assertEquals(0.0, ModuleSelection.mixingWeight(-1000), 1e-300);
        assertEquals(1.0, ModuleSelection.mixingWeight(1000), 0.0);
    }

    @Test
    public void layerComputesTheMixtureOfTheBaseAndTheLoraAdaptedLayer() {
        // W0 = [[1, 2], [3, 4]], b0 = [0.5, -1]; LoRA r = 1: A = [1, -1], B = [2, 1], scaling alpha / r = 2
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[] {0.5f, -1}))) {
            peft.addAdapter("a", new DifforaSpec(AdapterTargets.modules("fc"), 1, 2, 1.0), 2, 1L);
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            tensors.put(PREFIX + "fc.lora_A.weight", TensorData.ofFloats(new long[] {1, 2}, new float[] {1, -1}));
            tensors.put(PREFIX + "fc.lora_B.weight", TensorData.ofFloats(new long[] {2, 1}, new float[] {2, 1}));
            peft.loadAdapterTensors("a", withLogits(tensors, Map.of("fc", (float) Math.log(3))));
            peft.setActiveAdapters(List.of("a"));
            // x = [3, 1]: base [5.5, 12]; LoRA delta 2 B (A x) = 2 [2, 1] 2 = [8, 4]; mixture base + 0.75 delta
            assertArrayEquals(new float[] {11.5f, 15f}, AdapterContract.forward(peft.network(), new float[] {3, 1}, 1), 1e-5f);
            assertEquals(0.75, ((DifforaModule) peft.modules("a").get("fc")).importance(), 1e-6);
            peft.merge();
            assertArrayEquals(new float[] {11.5f, 15f}, AdapterContract.forward(peft.network(), new float[] {3, 1}, 1), 1e-5f);
        }
    }

    @Test
    public void mergedEqualsUnmergedAndOnlyTheAdapterTrains() {
        DifforaSpec spec = new DifforaSpec(AdapterTargets.modules("fc1", "fc2"), 3, 6, 0.5);
        AdapterContract.assertMergeEqualsUnmerged(spec, MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new DifforaSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 4, 0.5),
                CNN, CNN_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(spec, MLP, MLP_OUTPUTS);
        assertEquals(3 * (16 + 12) + 1 + 3 * (12 + 10) + 1, AdapterContract.trainableCount(spec, MLP, MLP_OUTPUTS));
    }

    @Test
    public void budgetIsTheCeilingOfTheRatioTimesTheCandidates() {
        assertEquals(2, ModuleSelection.budget(3, 0.5));
        assertEquals(3, ModuleSelection.budget(10, 0.3));
        assertEquals(1, ModuleSelection.budget(5, 0.01));
        assertEquals(7, ModuleSelection.budget(7, 1.0));
    }

    @Test
    public void discretisationKeepsExactlyTheTopKByImportanceInNetworkOrder() {
        Map<String, Double> importances = new LinkedHashMap<>();
        importances.put("a", 0.2);
        importances.put("b", 0.9);
        importances.put("c", 0.5);
        importances.put("d", 0.7);
        importances.put("e", 0.1);
        assertEquals(List.of("b", "d"), ModuleSelection.topK(importances, 0.4));
        assertEquals(List.of("b", "c", "d"), ModuleSelection.topK(importances, 0.5));
        assertEquals(List.of("b"), ModuleSelection.topK(importances, 0.1));
        assertEquals(List.copyOf(importances.keySet()), ModuleSelection.topK(importances, 1.0));
        // ties keep the earlier module
        assertEquals(List.of("x"), ModuleSelection.topK(new LinkedHashMap<>(Map.of("x", 0.5)), 1.0));
        Map<String, Double> tied = new LinkedHashMap<>();
        tied.put("p", 0.5);
        tied.put("q", 0.5);
        assertEquals(List.of("p"), ModuleSelection.topK(tied, 0.5));
    }

    @Test
    public void exportIsPlainLoraOnTheKeptModulesAndSavesInPeftsLoraFormat(@TempDir Path dir) throws Exception {
        DifforaSpec spec = new DifforaSpec(AdapterTargets.modules("fc1", "fc2", "head"), 2, 4, 0.5);
        float[] x = AdapterContract.input(MLP, 4);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, 3L);
            AdapterContract.randomise(peft, "a", 5L);
            Map<String, TensorData> relaxed = withLogits(peft.adapterTensors("a"), Map.of("fc1", 0.3f, "fc2", -2f, "head", 1.5f));
            peft.loadAdapterTensors("a", relaxed);
            ExportedAdapter exported = spec.export(relaxed);
            LoraSpec lora = assertInstanceOf(LoraSpec.class, exported.spec());
            assertEquals(List.of("fc1", "head"), lora.targets().modules());
            assertFalse(exported.tensors().keySet().stream().anyMatch(k -> k.contains("fc2") || k.contains(DifforaModule.LOGIT)),
                    exported.tensors().keySet().toString());
            float[] b = relaxed.get(PREFIX + "fc1.lora_B.weight").toFloatArray();
            float[] kept = exported.tensors().get(PREFIX + "fc1.lora_B.weight").toFloatArray();
            for (int i = 0; i < b.length; i++) {
                assertEquals(b[i] * ModuleSelection.mixingWeight(0.3f), kept[i], 1e-6);
            }
            Map<String, Provenance> recorded = spec.describeExport(relaxed);
            assertEquals("[fc1, head]", ((ListProvenance<?>) recorded.get(DifforaSpec.SELECTED)).getList().stream()
                    .map(p -> ((StringProvenance) p).getValue()).toList().toString());
            MapProvenance<?> importances = (MapProvenance<?>) recorded.get(DifforaSpec.IMPORTANCES);
            assertEquals(ModuleSelection.mixingWeight(-2f), ((DoubleProvenance) importances.getMap().get("fc2")).getValue(), 1e-7);
            AdapterFiles.save(dir.resolve("adapter"), spec, peft.adapterTensors("a"));
        }
        assertTrue(Files.readString(dir.resolve("adapter").resolve(AdapterFiles.CONFIG_FILE))
                .contains("\"peft_type\" : \"LORA\""));
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("adapter"));
        assertEquals(List.of("fc1", "head"), loaded.spec().targets().modules());
        AdapterContract.assertMergeEqualsUnmerged(loaded.spec(), MLP, MLP_OUTPUTS);
        // with every module kept, the LoRA adapter computes what the relaxed one computed
        DifforaSpec all = new DifforaSpec(AdapterTargets.modules("fc1", "fc2"), 2, 4, 1.0);
        try (PeftNetwork relaxed = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS));
             PeftNetwork discrete = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            relaxed.addAdapter("a", all, MLP_OUTPUTS, 3L);
            AdapterContract.randomise(relaxed, "a", 9L);
            relaxed.setActiveAdapters(List.of("a"));
            ExportedAdapter exported = all.export(relaxed.adapterTensors("a"));
            discrete.addAdapter("a", exported.spec(), MLP_OUTPUTS, 1L);
            discrete.loadAdapterTensors("a", exported.tensors());
            discrete.setActiveAdapters(List.of("a"));
            AdapterContract.assertClose(AdapterContract.forward(relaxed.network(), x, 4),
                    AdapterContract.forward(discrete.network(), x, 4), 1e-5, "kept-all export");
        }
    }

    private static TensorDataset data(int n) {
        float[] x = AdapterContract.input(MLP, n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = x[i * 16] > 0 ? 1 : (x[i * 16 + 1] > 0 ? 2 : 0);
        }
        return new TensorDataset(x, labels, MLP.inputShape());
    }

    private static Object[] search(long seed) {
        DifforaSpec spec = new DifforaSpec(AdapterTargets.modules("fc1", "fc2", "head"), 2, 4, 0.5);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, seed);
            DifforaSearch.Result result = new DifforaSearch(2, 1, 8, 0.5, 0.05).run(peft, "a", new AdamOptimiserFactory(0.01),
                    data(32), BatchObjective.crossEntropy(), new SplittableRandom(seed), TrainingListener.NONE);
            assertEquals(2, result.selected().size(), "ceil(0.5 * 3) modules are kept");
            assertEquals(result.selected(), peft.targets("a"));
            assertInstanceOf(LoraSpec.class, peft.spec("a"));
            assertEquals(ModuleSelection.topK(result.importances(), 0.5), result.selected());
            assertEquals(2L * (16 + 12) + 2L * (12 + 10) + 2L * (10 + 4) - 2L * (switch (excluded(result.selected())) {
                case "fc1" -> 16 + 12;
                case "fc2" -> 12 + 10;
                default -> 10 + 4;
            }), peft.trainableSummary().trainable());
            return new Object[] {result.importances(), peft.adapterTensors("a")};
        }
    }

    private static String excluded(List<String> selected) {
        for (String candidate : List.of("fc1", "fc2", "head")) {
            if (!selected.contains(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("nothing dropped from " + selected);
    }

    @Test
    public void searchKeepsTheBudgetAndTheSameSeedGivesTheSameResult() {
        long seed = TestSeeds.of(21);
        Object[] first = search(seed);
        Object[] second = search(seed);
        assertEquals(first[0], second[0]);
        assertEquals(first[1], second[1]);
    }

    @Test
    public void badSettingsAreRefused() {
        AdapterTargets targets = AdapterTargets.modules("fc1");
        for (double ratio : new double[] {0.0, -0.5, 1.5, Double.NaN}) {
            PropertyException e = assertThrows(PropertyException.class, () -> new DifforaSpec(targets, 2, 4, ratio));
            assertTrue(e.getMessage().contains("budget ratio"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ModuleSelection.budget(0, 0.5));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> DifforaSpec.importances(Map.of()));
        assertTrue(none.getMessage().contains("candidate module"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DifforaSearch(1, 1, 8, 1.0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new DifforaSearch(0, 1, 8, 0.5, 0.01));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("l", new LoraSpec(targets, 2, 4), MLP_OUTPUTS, 1L);
            IllegalArgumentException notDiffora = assertThrows(IllegalArgumentException.class, () -> new DifforaSearch(1, 1, 8,
                    0.5, 0.01).run(peft, "l", new AdamOptimiserFactory(0.01), data(8), BatchObjective.crossEntropy(),
                    new SplittableRandom(1), TrainingListener.NONE));
            assertTrue(notDiffora.getMessage().contains("not a DiffoRA adapter"), notDiffora.getMessage());
        }
    }

    @Test
    public void registeredAndRecordsItsOptions() {
        DifforaSpec spec = new DifforaSpec(AdapterTargets.modules("fc1", "conv2").saving("head"), 2, 4, 0.25);
        assertTrue(PeftMethods.installed().methods().stream().anyMatch(m -> m instanceof DifforaMethod));
        Helpers.testConfigurableRoundtrip(spec);
        assertEquals("0.25", spec.getProvenance().getConfiguredParameters().get("budgetRatio").toString());
        String json = spec.toPeftConfig().toString();
        assertTrue(json.contains("\"budget_ratio\" : 0.25") && json.contains("\"peft_type\" : \"DIFFORA\""), json);
    }
}
