package org.tribuoadapt.peft.ltsft;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class LtSftTest {

    private static final CNNSpec NET = new CNNSpec(1, 8, 8, new int[] {3, 4}, true, 2, new int[] {8});
    private static final AdapterTargets LAYERS = AdapterTargets.pattern("conv\\d|bn\\d|fc1");
    private static NetworkModel base;
    private static MutableDataset<Label> data;

    @BeforeAll
    public static void trainBase() {
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 1, 32, 1L).train(SyntheticImages.dataset(60, 3, 8, 1));
        data = SyntheticImages.dataset(30, 3, 8, 2);
    }

    private static LtSftTrainer trainer(AdapterTargets targets, int k, long seed) {
        return new LtSftTrainer(new LtSftSpec(targets), new AdamOptimiserFactory(0.01), k, 1, 1, 16, seed);
    }

    private static float[] values(PeftModel model, String suffix) {
        float[] out = new float[0];
        for (Map.Entry<String, TensorData> e : model.adapterTensors("default").entrySet()) {
            if (e.getKey().endsWith(suffix)) {
                float[] v = e.getValue().toFloatArray();
                float[] joined = java.util.Arrays.copyOf(out, out.length + v.length);
                System.arraycopy(v, 0, joined, out.length, v.length);
                out = joined;
            }
        }
        return out;
    }

    @Test
    public void differenceModuleAppliesOnlyTheMaskedEntries() {
        // W0 = I; delta = [[1, 2], [3, 4]] with mask [[1, 0], [0, 1]], bias delta [5, 6] with mask [0, 1]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 0, 0, 1}, new float[2]))) {
            peft.addAdapter("a", new LtSftSpec(AdapterTargets.modules("fc")), 2, 1L);
            Map<String, TensorData> t = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : List.of(
                    SingleLayerNetworks.tensor("sft_delta.weight", new long[] {2, 2}, 1, 2, 3, 4),
                    SingleLayerNetworks.tensor("sft_delta.bias", new long[] {2}, 5, 6),
                    SingleLayerNetworks.tensor("sft_mask.weight", new long[] {2, 2}, 1, 0, 0, 1),
                    SingleLayerNetworks.tensor("sft_mask.bias", new long[] {2}, 0, 1))) {
                t.put(e.getKey(), e.getValue());
            }
            peft.loadAdapterTensors("a", t);
            peft.setActiveAdapters(List.of("a"));
            // W = [[2, 0], [0, 5]], b = [0, 6]
            assertArrayEquals(new float[] {2, 11}, AdapterContract.forward(peft.network(), new float[] {1, 1}, 1), 1e-6f);
            assertEquals(3, peft.ranks("a").get("fc"));
        }
    }

    @Test
    public void l1RegularisationIsLambdaOverNTimesTheDistanceFromThePretrainedValues() {
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {1, 0, 0, 1}, new float[2]))) {
            peft.addAdapter("a", new LtSftSpec(AdapterTargets.modules("fc")), 2, 1L);
            Map<String, TensorData> t = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : List.of(
                    SingleLayerNetworks.tensor("sft_delta.weight", new long[] {2, 2}, 0.5f, -1, 7, 2),
                    SingleLayerNetworks.tensor("sft_delta.bias", new long[] {2}, 0.25f, 0),
                    SingleLayerNetworks.tensor("sft_mask.weight", new long[] {2, 2}, 1, 1, 0, 1),
                    SingleLayerNetworks.tensor("sft_mask.bias", new long[] {2}, 1, 1))) {
                t.put(e.getKey(), e.getValue());
            }
            peft.loadAdapterTensors("a", t);
            BatchObjective nothing = (network, features, labels, context) -> features.sum().mul(0f);
            Collection<AdapterModule> modules = peft.modules("a").values();
            assertSame(nothing, L1TowardsPretrained.of(nothing, 0.0, 6, modules));
            BatchObjective l1 = L1TowardsPretrained.of(nothing, 0.3, 6, modules);
            try (NDManager manager = peft.network().manager().newSubManager()) {
                NDArray x = manager.create(new float[] {1, 1}, new Shape(1, 2));
                // 0.3 / 6 (0.5 + 1 + 2 + 0.25): the masked-out 7 does not count
                assertEquals(0.1875, l1.loss(peft.network(), x, manager.create(new long[] {0}),
                        ForwardContext.training(manager)).getFloat(), 1e-7);
            }
        }
    }

    @Test
    public void roundsGrowTheMaskToKGivenAsACountOrAShare() {
        LtSftTrainer trainer = new LtSftTrainer(new LtSftSpec(LAYERS), new AdamOptimiserFactory(0.01), 41, 0.0, 2, 0.1, 0.05,
                1, 1, 16, 3L);
        PeftModel model = trainer.train(data, base);
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        // floor(41 / 2) = 20 entries per round
        assertEquals(40, kept(model));
        assertEquals(new IntProvenance(LtSftTrainer.K, 40), run.get(LtSftTrainer.K));
        assertTrue(run.containsKey(LtSftTrainer.ROUND + "1.full-phase") && run.containsKey(LtSftTrainer.ROUND + "1.sparse-phase")
                && !run.containsKey(LtSftTrainer.ROUND + "2.full-phase"), run.keySet().toString());
        Map<String, ? extends Provenance> configured = model.getProvenance().getTrainerProvenance().getConfiguredParameters();
        for (String option : new String[] {"nFtIterations", "ftParamsProportion", "fullL1Reg", "sparseL1Reg"}) {
            assertTrue(configured.containsKey(option), option + " in " + configured.keySet());
        }
        Helpers.testConfigurableRoundtrip(trainer);
        org.tribuoadapt.peft.PeftTrainerTest.assertSamePredictions(model, model.merge(), data, 1e-5);

        LtSftTrainer share = new LtSftTrainer(new LtSftSpec(LAYERS), new AdamOptimiserFactory(0.01), 0, 0.05, 1, 0.0, 0.0,
                1, 1, 16, 3L);
        PeftModel shared = share.train(data, base);
        int tuned = values(shared, "sft_delta.weight").length + values(shared, "sft_delta.bias").length;
        assertEquals((int) Math.floor(0.05 * tuned), kept(shared), "K = floor(0.05 x " + tuned + ")");
    }

    private static int kept(PeftModel model) {
        int kept = 0;
        for (float m : values(model, "sft_mask.weight")) {
            kept += (int) m;
        }
        for (float m : values(model, "sft_mask.bias")) {
            kept += (int) m;
        }
        return kept;
    }

    @Test
    public void adapterContract(@TempDir Path dir) throws Exception {
        // dense differences: every weight and bias of the targets
        assertEquals((12 * 16 + 12) + (10 * 12 + 10), AdapterContract.trainableCount(new LtSftSpec(AdapterTargets.allLinear()),
                MLP, MLP_OUTPUTS));
        AdapterContract.assertMergeEqualsUnmerged(new LtSftSpec(LAYERS.saving("head")), CNN, CNN_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(new LtSftSpec(LAYERS.saving("head")), CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(new LtSftSpec(LAYERS), CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(new LtSftSpec(LAYERS.saving("head")));
    }

    @Test
    public void trainsAnExactlyKSparseDifferenceWithItsPhasesInProvenance() {
        // four labels where the base has three: a new head, trained fully and reset between the phases
        MutableDataset<Label> four = SyntheticImages.dataset(32, 4, 8, 5);
        LtSftTrainer trainer = trainer(LAYERS.saving("head"), 40, 3L);
        PeftModel model = trainer.train(four, base);
        float[] masks = values(model, "sft_mask.weight");
        float[] biasMasks = values(model, "sft_mask.bias");
        float[] deltas = values(model, "sft_delta.weight");
        double kept = 0;
        for (float m : masks) {
            kept += m;
        }
        for (float m : biasMasks) {
            kept += m;
        }
        assertEquals(40, kept, "exactly K entries are kept");
        for (int i = 0; i < masks.length; i++) {
            if (masks[i] == 0) {
                assertEquals(0f, deltas[i], "entries outside the mask stay at the base value");
            }
        }
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(new IntProvenance(LtSftTrainer.K, 40), run.get(LtSftTrainer.K));
        assertTrue(run.containsKey(LtSftTrainer.FULL_PHASE) && run.containsKey(LtSftTrainer.SPARSE_EPOCHS), run.keySet().toString());
        Helpers.testModelProtoSerialization(model, Label.class, four);
        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(trainer);
        org.tribuoadapt.peft.PeftTrainerTest.assertSamePredictions(model, model.merge(), four, 1e-5);
        // the same seed gives the same difference
        assertEquals(model.adapterTensors("default"), trainer(LAYERS.saving("head"), 40, 3L).train(four, base)
                .adapterTensors("default"));
    }

    @Test
    public void composesFineTuningsByAddingTheirDifferences() {
        PeftModel first = trainer(LAYERS, 30, 4L).train(data, base);
        PeftModel second = trainer(LAYERS, 30, 5L).train(SyntheticImages.dataset(16, 3, 8, 6), base);
        PeftModel composed = first.withAdapterFrom(second, "default", "second").withActiveAdapters(List.of("default", "second"));
        NetworkModel mergedModel = composed.merge();
        Map<String, TensorData> merged = mergedModel.stateDict();
        Map<String, TensorData> theta0 = base.stateDict();
        for (String layer : new String[] {"conv1", "conv2", "fc1"}) {
            float[] w0 = theta0.get(layer + ".weight").toFloatArray();
            float[] d1 = masked(first, "default", layer);
            float[] d2 = masked(second, "default", layer);
            float[] w = merged.get(layer + ".weight").toFloatArray();
            for (int i = 0; i < w.length; i++) {
                assertEquals(w0[i] + d1[i] + d2[i], w[i], 1e-6, layer + " = theta0 + phi1 + phi2 at " + i);
            }
        }
        org.tribuoadapt.peft.PeftTrainerTest.assertSamePredictions(composed, mergedModel, data, 1e-5);
    }

    private static float[] masked(PeftModel model, String adapter, String layer) {
        Map<String, TensorData> t = model.adapterTensors(adapter);
        float[] delta = t.get("base_model.model." + layer + ".sft_delta.weight").toFloatArray();
        float[] mask = t.get("base_model.model." + layer + ".sft_mask.weight").toFloatArray();
        for (int i = 0; i < delta.length; i++) {
            delta[i] *= mask[i];
        }
        return delta;
    }

    @Test
    public void rejectsBadSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> trainer(LAYERS, 0, 1L)).getMessage()
                .contains("give K either as a count (k) or as a share (ftParamsProportion), found k = 0"));
        LtSftSpec spec = new LtSftSpec(LAYERS);
        AdamOptimiserFactory adam = new AdamOptimiserFactory(0.01);
        assertTrue(assertThrows(PropertyException.class, () -> new LtSftTrainer(spec, adam, 10, 0.1, 1, 0, 0, 1, 1, 16, 1L))
                .getMessage().contains("give K either as a count (k) or as a share (ftParamsProportion)"));
        assertTrue(assertThrows(PropertyException.class, () -> new LtSftTrainer(spec, adam, 0, 1.5, 1, 0, 0, 1, 1, 16, 1L))
                .getMessage().contains("ftParamsProportion must be in [0, 1], found 1.5"));
        assertTrue(assertThrows(PropertyException.class, () -> new LtSftTrainer(spec, adam, 2, 0, 3, 0, 0, 1, 1, 16, 1L))
                .getMessage().contains("k = 2 is less than nFtIterations = 3"));
        assertTrue(assertThrows(PropertyException.class, () -> new LtSftTrainer(spec, adam, 10, 0, 0, 0, 0, 1, 1, 16, 1L))
                .getMessage().contains("nFtIterations must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new LtSftTrainer(spec, adam, 10, 0, 1, -1, 0, 1, 1, 16, 1L))
                .getMessage().contains("fullL1Reg must be finite and at least 0, found -1.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LtSftTrainer(spec, adam, 0, 1e-6, 2, 0, 0, 1, 1,
                16, 1L).train(data, base)).getMessage().contains("fewer than the 2 rounds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> trainer(LAYERS, 1_000_000, 1L).train(data, base))
                .getMessage().contains("k = 1000000 is more than the"));
        assertTrue(assertThrows(IllegalStateException.class, () -> trainer(LAYERS, 10, 1L).train(data)).getMessage()
                .contains("no base network configured"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> trainer(LAYERS, 10, 1L)
                .train(SyntheticImages.dataset(32, 4, 8, 5), base)).getMessage()
                .contains("the base network has 3 outputs but the data has 4 labels; list the output layer 'head'"));
    }
}
