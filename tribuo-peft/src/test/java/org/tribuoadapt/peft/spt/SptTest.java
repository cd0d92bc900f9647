package org.tribuoadapt.peft.spt;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.PeftTrainerTest;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.ltsft.LtSftSpec;

import java.nio.file.Path;
import java.util.ArrayList;
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

public class SptTest {

    private static final CNNSpec NET = new CNNSpec(1, 8, 8, new int[] {3, 4}, true, 2, new int[] {8});
    private static final AdapterTargets LAYERS = AdapterTargets.pattern("conv\\d|fc1");
    private static NetworkModel base;
    private static MutableDataset<Label> data;

    @BeforeAll
    public static void trainBase() {
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 1, 32, 1L).train(SyntheticImages.dataset(60, 3, 8, 1));
        data = SyntheticImages.dataset(32, 4, 8, 5);
    }

    private static SptTrainer trainer(long budget, int rank, long seed) {
        return new SptTrainer(new SptSpec(LAYERS.saving("head"), rank, rank, List.of()), new AdamOptimiserFactory(0.01),
                budget, 5.0, 2, 2, 16, seed);
    }

    @Test
    public void sensitivityIsTheSquaredGradientOfTheMeanCrossEntropySummedOverBatches() {
        // fc = Linear(3 -> 2); the gradient of the mean cross-entropy of a batch is (1/N) sum_n (p_n - y_n) x_n^T
        float[] w = {0.5f, -0.25f, 0.125f, -0.5f, 0.75f, 0.25f};
        float[] b = {0.1f, -0.2f};
        float[] x = {1, 2, -1, 0.5f, -1, 2, -2, 0, 1};
        int[] y = {0, 1, 1};
        List<int[]> batches = List.of(new int[] {0, 1}, new int[] {2});
        double[] expected = new double[6];
        for (int[] batch : batches) {
            double[] g = new double[6];
            for (int n : batch) {
                double[] z = new double[2];
                for (int o = 0; o < 2; o++) {
                    z[o] = b[o];
                    for (int i = 0; i < 3; i++) {
                        z[o] += w[o * 3 + i] * x[n * 3 + i];
                    }
                }
                double norm = Math.exp(z[0]) + Math.exp(z[1]);
                for (int o = 0; o < 2; o++) {
                    double dz = (Math.exp(z[o]) / norm - (y[n] == o ? 1 : 0)) / batch.length;
                    for (int i = 0; i < 3; i++) {
                        g[o * 3 + i] += dz * x[n * 3 + i];
                    }
                }
            }
            for (int j = 0; j < 6; j++) {
                expected[j] += g[j] * g[j];
            }
        }
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(w, b))) {
            peft.addAdapter("probe", new LtSftSpec(AdapterTargets.modules("fc")), 2, 1L);
            peft.setActiveAdapters(List.of("probe"));
            peft.setTrainable("probe");
            float[] actual = SptSensitivity.of(peft, "probe", new TensorDataset(x, y, new Shape(3)), batches).get("fc");
            for (int j = 0; j < 6; j++) {
                assertEquals(expected[j], actual[j], 1e-6 * Math.max(1, expected[j]), "s[" + j + "]");
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SptSensitivity.of(peft, "probe",
                    new TensorDataset(x, y, new Shape(3)), List.of())).getMessage()
                    .contains("SPT's sensitivity needs at least one batch of task data"));
        }
    }

    @Test
    public void adapterContract(@TempDir Path dir) throws Exception {
        // fc1 (16 -> 12) as LoRA r = 2: 2 (16 + 12); fc2 (12 -> 10) as a dense masked difference with its bias
        SptSpec mlp = new SptSpec(AdapterTargets.modules("fc1", "fc2"), 2, 4.0, List.of("fc1"));
        assertEquals(2 * (16 + 12) + (10 * 12 + 10), AdapterContract.trainableCount(mlp, MLP, MLP_OUTPUTS));
        SptSpec cnn = new SptSpec(AdapterTargets.pattern("conv\\d|fc1").saving("head"), 2, 4.0, List.of("conv2"));
        AdapterContract.assertMergeEqualsUnmerged(cnn, CNN, CNN_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(cnn, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(cnn.withLoraLayers(List.of("conv1", "fc1")), CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(cnn);
    }

    @Test
    public void spendsTheBudgetOnTheSelectionAndChangesOnlyTheSelectedWeights() {
        // r = 1 with alpha 5: conv1 [3, 1, 3, 3] gets LoRA from 3 selected weights, conv2 [4, 3, 3, 3] from 7, fc1 [8, 16] from 5
        SptTrainer trainer = trainer(60, 1, 3L);
        PeftModel model = trainer.train(data, base);
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(new LongProvenance(SptTrainer.BUDGET, 60), run.get(SptTrainer.BUDGET));
        long spent = ((LongProvenance) run.get(SptTrainer.SPENT)).getValue();
        assertTrue(spent <= 60 && spent > 0, "spent " + spent);
        @SuppressWarnings("unchecked")
        Map<String, Provenance> counts = ((MapProvenance<Provenance>) run.get(SptTrainer.COUNTS)).getMap();
        List<String> lora = new ArrayList<>();
        ((ListProvenance<?>) run.get(SptTrainer.LORA_LAYERS)).getList().forEach(p -> lora.add(p.toString()));
        Map<String, Long> loraCost = Map.of("conv1", 12L, "conv2", 31L, "fc1", 24L);
        Map<String, TensorData> tensors = model.adapterTensors("default");
        Map<String, TensorData> merged = model.merge().stateDict();
        Map<String, TensorData> theta0 = base.stateDict();
        long total = 0;
        int tau = 0;
        for (String layer : new String[] {"conv1", "conv2", "fc1"}) {
            int count = ((IntProvenance) counts.get(layer)).getValue();
            tau += count;
            boolean isLora = count * 5.0 >= loraCost.get(layer);
            assertEquals(isLora, lora.contains(layer), layer + " with " + count + " selected weights");
            String prefix = PeftNetwork.MODEL_PREFIX + layer + ".";
            assertEquals(isLora, tensors.containsKey(prefix + "lora_A.weight"), layer);
            if (isLora) {
                total += loraCost.get(layer);
                continue;
            }
            total += count;
            float[] mask = tensors.get(prefix + "sft_mask.weight").toFloatArray();
            float[] w0 = theta0.get(layer + ".weight").toFloatArray();
            float[] w = merged.get(layer + ".weight").toFloatArray();
            int kept = 0;
            for (int i = 0; i < mask.length; i++) {
                kept += (int) mask[i];
                if (mask[i] == 0) {
                    assertEquals(w0[i], w[i], 0f, layer + "[" + i + "] is not selected and keeps its base value");
                }
            }
            assertEquals(count, kept, layer);
            assertArrayEquals(theta0.get(layer + ".bias").toFloatArray(), merged.get(layer + ".bias").toFloatArray(), 0f);
        }
        assertEquals(spent, total);
        assertEquals(new IntProvenance(SptTrainer.TAU, tau), run.get(SptTrainer.TAU));
        assertTrue(!lora.isEmpty() && lora.size() < 3, "both kinds of tuning are exercised: " + lora);
        PeftTrainerTest.assertSamePredictions(model, model.merge(), data, 1e-5);
        Helpers.testModelProtoSerialization(model, Label.class, data);
        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(trainer);
        assertEquals(tensors, trainer(60, 1, 3L).train(data, base).adapterTensors("default"), "same seed, same adapter");
    }

    @Test
    public void unstructuredOnlyBudgetIsSpentExactly() {
        // r = 64: LoRA would need at least 64 (9 + 3) / 5 selected weights of conv1's 27, so nothing gets LoRA
        PeftModel model = trainer(50, 64, 4L).train(data, base);
        Map<String, ? extends Provenance> run = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(new LongProvenance(SptTrainer.SPENT, 50), run.get(SptTrainer.SPENT));
        assertTrue(((ListProvenance<?>) run.get(SptTrainer.LORA_LAYERS)).getList().isEmpty());
        double kept = 0;
        for (Map.Entry<String, TensorData> e : model.adapterTensors("default").entrySet()) {
            if (e.getKey().endsWith("sft_mask.weight") || e.getKey().endsWith("sft_mask.bias")) {
                for (float m : e.getValue().toFloatArray()) {
                    kept += m;
                }
            }
        }
        assertEquals(50, kept);
    }

    @Test
    public void rejectsBadSettings() {
        assertTrue(assertThrows(PropertyException.class, () -> trainer(0, 1, 1L)).getMessage()
                .contains("budget must be a positive number of parameters, found 0"));
        SptSpec spec = new SptSpec(LAYERS);
        AdamOptimiserFactory adam = new AdamOptimiserFactory(0.01);
        assertTrue(assertThrows(PropertyException.class, () -> new SptTrainer(spec, adam, 10, 5.0, 0, 1, 16, 1L))
                .getMessage().contains("sensitivityBatches must be at least 1, found 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SptTrainer(spec, adam, 10, 0.0, 1, 1, 16, 1L))
                .getMessage().contains("structuredAlpha must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SptTrainer(spec.withLoraLayers(List.of("fc1")), adam, 10,
                1, 16, 1L)).getMessage().contains("the adapter's loraLayers are chosen by SPT's sensitivity"));
        assertTrue(assertThrows(PropertyException.class, () -> new SptSpec(LAYERS, 0, 8.0, List.of())).getMessage()
                .contains("loraRank must be a positive integer, found 0"));
        // conv1 27 + conv2 108 + fc1 128 weights
        assertTrue(assertThrows(IllegalArgumentException.class, () -> trainer(264, 1, 1L).train(data, base)).getMessage()
                .contains("the budget must be between 1 and the 263 weights of the targeted layers, found 264"));
        assertTrue(assertThrows(IllegalStateException.class, () -> trainer(10, 1, 1L).train(data)).getMessage()
                .contains("no base network configured"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SptTrainer(new SptSpec(LAYERS), adam, 10, 1, 16,
                1L).train(data, base)).getMessage()
                .contains("the base network has 3 outputs but the data has 4 labels; list the output layer 'head'"));
    }
}
