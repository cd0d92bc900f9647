package org.tribuoadapt.peft.combine;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.loha.LoHaSpec;
import org.tribuoadapt.peft.lora.LoraInit;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.peft.lycoris.LycorisOptions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AdapterCombinationTest {

    private static final MLPSpec NET = new MLPSpec(16, new int[] {8}, Activation.RELU, 0.0);
    private static NetworkModel base;
    private static PeftModel model;

    @BeforeAll
    public static void buildAdapters() {
        MutableDataset<Label> data = SyntheticImages.dataset(30, 3, 4, 1);
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 1, 16, 1L).train(data);
        model = PeftModel.of(base)
                .withAdapter("a", lora(2, 4), randomTensors(lora(2, 4), 1L))
                .withAdapter("b", lora(2, 2), randomTensors(lora(2, 2), 2L))
                .withAdapter("c", lora(3, 6), randomTensors(lora(3, 6), 3L));
    }

    private static LoraSpec lora(int r, double alpha) {
        return new LoraSpec(AdapterTargets.modules("fc1", "head"), r, alpha);
    }

    private static Map<String, TensorData> randomTensors(AdapterSpec spec, long seed) {
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            peft.addAdapter("x", spec, 3, seed);
            AdapterContract.randomise(peft, "x", seed);
            return peft.adapterTensors("x");
        }
    }

    /** The update of each adapter at each module, by adapter then module path. */
    private static float[] delta(PeftModel m, String adapter, String path) {
        try (PeftNetwork peft = m.newPeftNetwork(); NDManager scratch = peft.network().manager().newSubManager()) {
            return peft.modules(adapter).get(path).deltaWeight(scratch).toFloatArray();
        }
    }

    private static float[] weighted(double wa, float[] a, double wb, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (wa * a[i] + wb * b[i]);
        }
        return out;
    }

    @Test
    public void catIsExactlyTheWeightedSumOfUpdates() {
        PeftModel combined = model.addWeightedAdapter(List.of("a", "c"), List.of(0.7, -0.3), "cat",
                AdapterCombination.of(CombinationType.CAT));
        for (String path : List.of("fc1", "head")) {
            assertArrayEquals(weighted(0.7, delta(model, "a", path), -0.3, delta(model, "c", path)),
                    delta(combined, "cat", path), 1e-5f);
        }
        assertEquals(Map.of("fc1", 5, "head", 5), combined.ranks("cat"));
        String origin = combined.getProvenance().getInstanceProvenance().getMap().get("adapter.cat.origin").toString();
        assertTrue(origin.contains("combined by cat of [a, c] with weights [0.7, -0.3]"), origin);
    }

    @Test
    public void svdKeepsTheLeadingPartOfTheWeightedSum() {
        PeftModel full = model.addWeightedAdapter(List.of("a", "c"), List.of(1.0, 0.5), "full",
                new AdapterCombination(CombinationType.SVD, 1.0, 5, MajoritySign.TOTAL, 0));
        for (String path : List.of("fc1", "head")) {
            assertArrayEquals(weighted(1.0, delta(model, "a", path), 0.5, delta(model, "c", path)),
                    delta(full, "full", path), 1e-4f);
        }
        // the default rank is the largest source rank (3); the head (3 x 8) allows at most 3
        PeftModel truncated = model.addWeightedAdapter(List.of("a", "c"), List.of(1.0, 0.5), "svd",
                AdapterCombination.of(CombinationType.SVD));
        assertEquals(Map.of("fc1", 3, "head", 3), truncated.ranks("svd"));
        // svd accepts any additive adapter
        LoHaSpec loha = new LoHaSpec(AdapterTargets.modules("fc1"), LycorisOptions.of(2, 2), false);
        PeftModel mixed = model.withAdapter("h", loha, randomTensors(loha, 4L))
                .addWeightedAdapter(List.of("a", "h"), List.of(1.0, 1.0), "mixed", AdapterCombination.of(CombinationType.SVD));
        assertEquals(Map.of("fc1", 2, "head", 2), mixed.ranks("mixed"));
    }

    @Test
    public void linearCombinesTheFactorsAsPeftDoes() {
        // one source: sqrt(s) A and sqrt(s) B with scaling 1 reproduce the source exactly
        PeftModel single = model.addWeightedAdapter(List.of("a"), List.of(1.0), "one", AdapterCombination.of(CombinationType.TIES));
        assertArrayEquals(delta(model, "a", "fc1"), delta(single, "one", "fc1"), 1e-5f);
        // two sources: A' = sum sign(w s) sqrt(|w s|) A_i, B' = sum sqrt(|w s|) B_i (a: s = 2, b: s = 1)
        PeftModel linear = model.addWeightedAdapter(List.of("a", "b"), List.of(0.5, -1.0), "lin",
                AdapterCombination.of(CombinationType.LINEAR));
        Map<String, TensorData> a = model.adapterTensors("a");
        Map<String, TensorData> b = model.adapterTensors("b");
        Map<String, TensorData> l = linear.adapterTensors("lin");
        String keyA = "base_model.model.fc1.lora_A.weight";
        String keyB = "base_model.model.fc1.lora_B.weight";
        assertArrayEquals(weighted(1.0, a.get(keyA).toFloatArray(), -1.0, b.get(keyA).toFloatArray()), l.get(keyA).toFloatArray(), 1e-6f);
        assertArrayEquals(weighted(1.0, a.get(keyB).toFloatArray(), 1.0, b.get(keyB).toFloatArray()), l.get(keyB).toFloatArray(), 1e-6f);
        assertEquals(1.0, ((LoraSpec) linear.adapterSpec("lin")).scaling("fc1"), 1e-12);
    }

    @Test
    public void tiesAndDareAreSeededAndNeedADensityInTheUnitInterval() {
        AdapterCombination dare = new AdapterCombination(CombinationType.DARE_TIES, 0.5, 0, MajoritySign.TOTAL, 7L);
        PeftModel first = model.addWeightedAdapter(List.of("a", "b"), List.of(1.0, 1.0), "d", dare);
        PeftModel second = model.addWeightedAdapter(List.of("a", "b"), List.of(1.0, 1.0), "d", dare);
        assertEquals(first.adapterTensors("d"), second.adapterTensors("d"));
        PeftModel other = model.addWeightedAdapter(List.of("a", "b"), List.of(1.0, 1.0), "d",
                new AdapterCombination(CombinationType.DARE_TIES, 0.5, 0, MajoritySign.TOTAL, 8L));
        assertTrue(!first.adapterTensors("d").equals(other.adapterTensors("d")));
        model.addWeightedAdapter(List.of("a", "b"), List.of(1.0, 1.0), "t",
                new AdapterCombination(CombinationType.TIES, 0.3, 0, MajoritySign.FREQUENCY, 0L)).withActiveAdapters(List.of("t"));
        model.addWeightedAdapter(List.of("a", "b"), List.of(0.5, 0.5), "dl",
                new AdapterCombination(CombinationType.DARE_LINEAR, 0.9, 0, MajoritySign.TOTAL, 1L)).withActiveAdapters(List.of("dl"));
        for (double density : new double[] {0.0, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new AdapterCombination(CombinationType.DARE_LINEAR, density, 0, MajoritySign.TOTAL, 1L));
            assertEquals("density must be in (0, 1], found " + density, e.getMessage());
        }
    }

    @Test
    public void rejectsSourcesItCannotCombine() {
        IllegalArgumentException ranks = assertThrows(IllegalArgumentException.class, () -> model.addWeightedAdapter(
                List.of("a", "c"), List.of(1.0, 1.0), "x", AdapterCombination.of(CombinationType.LINEAR)));
        assertTrue(ranks.getMessage().contains("all adapters must have the same rank at module 'fc1'"), ranks.getMessage());
        LoraSpec dora = new LoraSpec(AdapterTargets.modules("fc1"), 2, 2, 0, false, true, LoraInit.DEFAULT, Map.of(), Map.of());
        PeftModel withDora = model.withAdapter("dora", dora, randomTensors(dora, 5L));
        IllegalArgumentException doraError = assertThrows(IllegalArgumentException.class, () -> withDora.addWeightedAdapter(
                List.of("a", "dora"), List.of(1.0, 1.0), "x", AdapterCombination.of(CombinationType.TIES)));
        assertTrue(doraError.getMessage().contains("needs plain LoRA adapters"), doraError.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.addWeightedAdapter(List.of("a", "zz"), List.of(1.0, 1.0), "x",
                AdapterCombination.of(CombinationType.CAT)));
        assertThrows(IllegalArgumentException.class, () -> model.addWeightedAdapter(List.of("a", "b"), List.of(1.0), "x",
                AdapterCombination.of(CombinationType.CAT)));
    }
}
