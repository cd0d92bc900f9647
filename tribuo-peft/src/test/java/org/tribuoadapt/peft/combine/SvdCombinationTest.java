package org.tribuoadapt.peft.combine;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;
import org.tribuoadapt.peft.StoredAdapter;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.SingleLayerNetworks.tensor;

/**
 * PEFT's {@code *_svd} combinations on a Linear layer 4 -> 3 with hand-made LoRA adapters (scaling 1):
 * {@code a} updates {@code dW[0][0] = 3}, {@code b} updates {@code dW[0][0] = -1, dW[1][1] = 2}, {@code c} updates
 * {@code dW[2][2] = 1}; and properties on random adapters.
 */
public class SvdCombinationTest {

    private static final LoraSpec RANK_ONE = new LoraSpec(AdapterTargets.modules("fc"), 1, 1);
    private static final LoraSpec RANK_TWO = new LoraSpec(AdapterTargets.modules("fc"), 2, 2);

    private static PeftNetwork handMade() {
        PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[12], new float[3]));
        peft.addAdapter("a", RANK_ONE, 3, 1L);
        peft.loadAdapterTensors("a", Map.ofEntries(tensor("lora_A.weight", new long[] {1, 4}, 1, 0, 0, 0),
                tensor("lora_B.weight", new long[] {3, 1}, 3, 0, 0)));
        peft.addAdapter("b", RANK_TWO, 3, 1L);
        peft.loadAdapterTensors("b", Map.ofEntries(tensor("lora_A.weight", new long[] {2, 4}, 1, 0, 0, 0, 0, 1, 0, 0),
                tensor("lora_B.weight", new long[] {3, 2}, -1, 0, 0, 2, 0, 0)));
        peft.addAdapter("c", RANK_ONE, 3, 1L);
        peft.loadAdapterTensors("c", Map.ofEntries(tensor("lora_A.weight", new long[] {1, 4}, 0, 0, 1, 0),
                tensor("lora_B.weight", new long[] {3, 1}, 0, 0, 1)));
        return peft;
    }

    /** A 3 x 4 matrix with the given diagonal. */
    private static float[] diagonal(float d0, float d1, float d2) {
        float[] out = new float[12];
        out[0] = d0;
        out[5] = d1;
        out[10] = d2;
        return out;
    }

    /** Adds a combined adapter to the network and returns its update at a module. */
    private static float[] delta(PeftNetwork peft, StoredAdapter combined, String path) {
        peft.addAdapter(combined.name(), combined.spec(), peft.baseOutputs(), 1L);
        peft.loadAdapterTensors(combined.name(), combined.tensors());
        try (NDManager scratch = peft.network().manager().newSubManager()) {
            return peft.modules(combined.name()).get(path).deltaWeight(scratch).toFloatArray();
        } finally {
            peft.deleteAdapter(combined.name());
        }
    }

    private static float[] combined(PeftNetwork peft, List<String> adapters, List<Double> weights, AdapterCombination how) {
        return delta(peft, how.combine(peft, adapters, weights, "x"), "fc");
    }

    private static AdapterCombination svd(CombinationType type, double density, int rank) {
        return new AdapterCombination(type, density, rank, MajoritySign.TOTAL, 3L);
    }

    @Test
    public void mergesTheUpdatesWithTheNamedMethodBeforeTruncating() {
        try (PeftNetwork peft = handMade()) {
            List<String> ab = List.of("a", "b");
            // the plain sum: dW[0][0] = 3 - 1
            assertArrayEquals(diagonal(2, 2, 0), combined(peft, ab, List.of(1.0, 1.0), svd(CombinationType.SVD, 1, 2)), 1e-5f);
            // TIES elects + at [0][0] (mass 3 - 1) and keeps only a's 3 there; b's 2 is weighted 0.5
            assertArrayEquals(diagonal(3, 2, 0), combined(peft, ab, List.of(1.0, 1.0), svd(CombinationType.TIES_SVD, 1, 2)), 1e-5f);
            assertArrayEquals(diagonal(3, 1, 0), combined(peft, ab, List.of(1.0, 0.5), svd(CombinationType.TIES_SVD, 1, 2)), 1e-5f);
            // density 0.1 of 12 entries keeps one per update: a's 3 and b's 2, then sums them
            assertArrayEquals(diagonal(3, 2, 0), combined(peft, ab, List.of(1.0, 1.0),
                    svd(CombinationType.MAGNITUDE_PRUNE_SVD, 0.1, 2)), 1e-5f);
        }
    }

    @Test
    public void truncationKeepsTheLeadingSingularTriplets() {
        try (PeftNetwork peft = handMade()) {
            List<String> abc = List.of("a", "b", "c");
            List<Double> ones = List.of(1.0, 1.0, 1.0);
            // TIES gives diag(3, 2, 1); its best approximations of rank 3, 2 and 1 drop the smallest values
            assertArrayEquals(diagonal(3, 2, 1), combined(peft, abc, ones, svd(CombinationType.TIES_SVD, 1, 3)), 1e-5f);
            assertArrayEquals(diagonal(3, 2, 0), combined(peft, abc, ones, svd(CombinationType.TIES_SVD, 1, 2)), 1e-5f);
            assertArrayEquals(diagonal(3, 0, 0), combined(peft, abc, ones, svd(CombinationType.TIES_SVD, 1, 1)), 1e-5f);
            StoredAdapter stored = svd(CombinationType.TIES_SVD, 1, 2).combine(peft, abc, ones, "x");
            assertEquals(2, ((LoraSpec) stored.spec()).rank());
            assertEquals("combined by ties_svd of [a, b, c] with weights [1.0, 1.0, 1.0], density 1.0, majority sign TOTAL, "
                    + "svd rank 2", stored.origin());
        }
    }

    @Test
    public void densityOneAndFullRankReproduceTheMergedUpdates() {
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(AdapterContract.MLP, AdapterContract.MLP_OUTPUTS))) {
            LoraSpec two = new LoraSpec(AdapterTargets.modules("fc1", "fc2"), 2, 4);
            LoraSpec three = new LoraSpec(AdapterTargets.modules("fc1", "fc2"), 3, 3);
            peft.addAdapter("p", two, AdapterContract.MLP_OUTPUTS, 1L);
            peft.addAdapter("q", three, AdapterContract.MLP_OUTPUTS, 2L);
            AdapterContract.randomise(peft, "p", 5L);
            AdapterContract.randomise(peft, "q", 6L);
            List<String> pq = List.of("p", "q");
            List<Double> weights = List.of(0.8, -0.6);
            List<float[]> updates = new ArrayList<>();
            try (NDManager scratch = peft.network().manager().newSubManager()) {
                updates.add(peft.modules("p").get("fc2").deltaWeight(scratch).toFloatArray());
                updates.add(peft.modules("q").get("fc2").deltaWeight(scratch).toFloatArray());
            }
            double[] w = {0.8, -0.6};
            // fc2 is 10 x 12: rank 10 is exact, so the result is the merged update itself
            float[] ties = combined2(peft, pq, weights, svd(CombinationType.TIES_SVD, 0.4, 10));
            assertArrayEquals(TaskTensorMerging.ties(updates, w, 0.4, MajoritySign.TOTAL), ties, 1e-4f);
            assertArrayEquals(TaskTensorMerging.magnitudePrune(updates, w, 0.3),
                    combined2(peft, pq, weights, svd(CombinationType.MAGNITUDE_PRUNE_SVD, 0.3, 10)), 1e-4f);
            // density 1: DARE keeps everything, and magnitude pruning of the factors is linear
            float[] sum = combined2(peft, pq, weights, svd(CombinationType.SVD, 1, 10));
            assertArrayEquals(TaskTensorMerging.taskArithmetic(updates, w), sum, 1e-4f);
            assertArrayEquals(sum, combined2(peft, pq, weights, svd(CombinationType.DARE_LINEAR_SVD, 1, 10)), 1e-5f);
            assertArrayEquals(combined2(peft, pq, weights, svd(CombinationType.TIES_SVD, 1, 10)),
                    combined2(peft, pq, weights, svd(CombinationType.DARE_TIES_SVD, 1, 10)), 1e-5f);
            peft.addAdapter("r", two, AdapterContract.MLP_OUTPUTS, 3L);
            AdapterContract.randomise(peft, "r", 7L);
            assertEquals(AdapterCombination.of(CombinationType.LINEAR).combine(peft, List.of("p", "r"), weights, "x").tensors(),
                    AdapterCombination.of(CombinationType.MAGNITUDE_PRUNE).combine(peft, List.of("p", "r"), weights, "x").tensors());
            // DARE on the updates is seeded
            AdapterCombination dare = svd(CombinationType.DARE_TIES_SVD, 0.5, 4);
            Map<String, TensorData> first = dare.combine(peft, pq, weights, "x").tensors();
            assertEquals(first, dare.combine(peft, pq, weights, "x").tensors());
            assertFalse(first.equals(new AdapterCombination(CombinationType.DARE_TIES_SVD, 0.5, 4, MajoritySign.TOTAL, 4L)
                    .combine(peft, pq, weights, "x").tensors()));
        }
    }

    private static float[] combined2(PeftNetwork peft, List<String> adapters, List<Double> weights, AdapterCombination how) {
        return delta(peft, how.combine(peft, adapters, weights, "x"), "fc2");
    }

    @Test
    public void quantileInterpolatesLinearlyAsTorchDoes() {
        float[] values = {4, 1, 3, 2};
        assertEquals(1.0, AdapterCombination.quantile(values, 0), 1e-12);
        assertEquals(2.5, AdapterCombination.quantile(values, 0.5), 1e-12);
        assertEquals(3.7, AdapterCombination.quantile(values, 0.9), 1e-6);
        assertEquals(4.0, AdapterCombination.quantile(values, 1), 1e-12);
        assertArrayEquals(new float[] {4, 1, 3, 2}, values, "the values are not sorted in place");
    }

    @Test
    public void svdClampClampsBothFactorsAtTheQuantileOfTheirEntries() {
        try (PeftNetwork peft = handMade()) {
            List<String> abc = List.of("a", "b", "c");
            List<Double> weights = List.of(1.0, 0.7, 1.3);
            Map<String, TensorData> plain = new AdapterCombination(CombinationType.TIES_SVD, 1, 3, MajoritySign.TOTAL, 0L)
                    .combine(peft, abc, weights, "x").tensors();
            Map<String, TensorData> clamped = new AdapterCombination(CombinationType.TIES_SVD, 1, 3, MajoritySign.TOTAL, 0L, 0.8)
                    .combine(peft, abc, weights, "x").tensors();
            float[] a = plain.get(PeftNetwork.MODEL_PREFIX + "fc.lora_A.weight").toFloatArray();
            float[] b = plain.get(PeftNetwork.MODEL_PREFIX + "fc.lora_B.weight").toFloatArray();
            float[] all = new float[a.length + b.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            double high = AdapterCombination.quantile(all, 0.8);
            assertTrue(high > 0);
            boolean changed = false;
            for (String factor : List.of("fc.lora_A.weight", "fc.lora_B.weight")) {
                float[] before = plain.get(PeftNetwork.MODEL_PREFIX + factor).toFloatArray();
                float[] after = clamped.get(PeftNetwork.MODEL_PREFIX + factor).toFloatArray();
                for (int i = 0; i < before.length; i++) {
                    assertEquals(Math.max(-high, Math.min(high, before[i])), after[i], 1e-6, factor + "[" + i + "]");
                    changed |= before[i] != after[i];
                }
            }
            assertTrue(changed, "the 0.8 quantile clamps the largest entries");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new AdapterCombination(CombinationType.SVD, 1, 0, MajoritySign.TOTAL, 0L, 1.5));
            assertEquals("svdClamp must be a quantile in (0, 1], or 0 for no clamping, found 1.5", e.getMessage());
        }
    }
}
