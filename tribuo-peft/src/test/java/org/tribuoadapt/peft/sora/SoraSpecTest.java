package org.tribuoadapt.peft.sora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
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
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

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

    /** An optimiser that changes nothing, so that only the modules' step hooks act. */
    private static final class NoStep implements NetworkOptimiser {
        @Override
        public void step() {}

        @Override
        public double learningRate() {
            return 0;
        }

        @Override
        public void close() {}
    }

    @Test
    public void gateTakesTheProximalStepAfterEachOptimiserStep() {
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 2, 3, 4}, new float[2]))) {
            peft.addAdapter("a", new SoraSpec(AdapterTargets.modules("fc"), 4, 8, 1e-3), 2, 1L);
            peft.loadAdapterTensors("a", withGate(peft.adapterTensors("a"), 0.5f, -0.0005f, 0.002f, -0.3f));
            try (NetworkOptimiser opt = peft.withStepHooks("a", new NoStep())) {
                opt.step();
            }
            // g = sign(g) max(|g| - 0.001, 0)
            assertArrayEquals(new float[] {0.499f, 0, 0.001f, -0.299f}, peft.adapterTensors("a").get(GATE).toFloatArray(), 1e-7f);
            assertEquals(3, peft.ranks("a").get("fc"));
        }
    }

    @Test
    public void exportPrunesZeroGatesWithoutChangingTheOutputs(@TempDir Path dir) throws Exception {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("fc"), 4, 8, 1e-3);
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
        SoraSpec spec = new SoraSpec(AdapterTargets.allLinear(), 6, 12, 0.0, 0.1, Map.of());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", spec, MLP_OUTPUTS, TestSeeds.of(7));
            peft.setActiveAdapters(List.of("a"));
            peft.setTrainable("a");
            TrainingPlan plan = new TrainingPlan(0, 0, 24, 16, 8, 3);
            try (NetworkOptimiser opt = peft.withStepHooks("a", new AdamOptimiserFactory(0.01)
                    .create(peft.network().trainableParameters(), plan))) {
                new TrainingLoop(3, 8, 0, 1).fit(peft.network(), opt, data, null, BatchObjective.crossEntropy(),
                        new SplittableRandom(TestSeeds.of(1)), TrainingListener.NONE);
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
                new SoraSpec(AdapterTargets.allLinear(), 4, 8, 1e-3), MLP, MLP_OUTPUTS));
        // a pruned module has its recorded rank
        assertEquals(2 * (16 + 12 + 1) + 4 * (12 + 10 + 1), AdapterContract.trainableCount(
                new SoraSpec(AdapterTargets.allLinear(), 4, 8, 0, 1e-3, Map.of("fc1", 2)), MLP, MLP_OUTPUTS));
    }

    @Test
    public void startsAsANoOpAndMergesExactly() {
        float[] x = AdapterContract.input(CNN, 2);
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            float[] base = AdapterContract.forward(peft.network(), x, 2);
            peft.addAdapter("a", new SoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1"), 2, 4, 1e-3), CNN_OUTPUTS, 1L);
            peft.setActiveAdapters(List.of("a"));
            assertArrayEquals(base, AdapterContract.forward(peft.network(), x, 2), 1e-6f);
        }
        AdapterContract.assertMergeEqualsUnmerged(new SoraSpec(AdapterTargets.allLinear(), 3, 6, 1e-3), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(new SoraSpec(AdapterTargets.modules("conv1", "conv2", "head"), 2, 4, 0.1, 1e-3,
                Map.of()), CNN, CNN_OUTPUTS);
    }

    @Test
    public void onlyTheAdapterTrainsAndItRoundTrips(@TempDir Path dir) throws Exception {
        SoraSpec spec = new SoraSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 4, 0.1, 1e-3,
                Map.of("conv1", 1));
        AdapterContract.assertOnlyAdapterTrains(spec, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(spec, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(spec);
    }

    @Test
    public void rejectsBadSettings() {
        AdapterTargets fc1 = AdapterTargets.modules("fc1");
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 0, 8, 1e-3))
                .getMessage().contains("rank must be a positive integer, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 0, 1e-3))
                .getMessage().contains("alpha must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 8, -1e-3))
                .getMessage().contains("sparseLambda must be finite and at least 0, found -0.001"));
        assertTrue(assertThrows(PropertyException.class, () -> new SoraSpec(fc1, 4, 8, 0, 1e-3, Map.of("fc1", 5)))
                .getMessage().contains("moduleRanks['fc1'] must be between 1 and the rank 4, found 5"));
    }
}
