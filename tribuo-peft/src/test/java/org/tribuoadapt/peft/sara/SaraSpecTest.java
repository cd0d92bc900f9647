package org.tribuoadapt.peft.sara;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
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
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftMethods;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.SingleLayerNetworks;

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

public class SaraSpecTest {

    private static final String MASK = "base_model.model.fc.sara_mask.weight";
    private static final String DELTA = "base_model.model.fc.sara_delta.weight";
    private static final String FIXED = "base_model.model.fc.sara_fixed.weight";

    private static SaraSpec spec(AdapterTargets targets, double fraction, int progressiveIter, double lambdaRank) {
        return new SaraSpec(targets, 2e-3, fraction, progressiveIter, lambdaRank);
    }

    @Test
    public void selectsExactlyTheSmallestMagnitudes() {
        // the authors' rule: |w| < 2e-3
        float[] w = {0.5f, -0.001f, 0.003f, -0.0005f, 0.002f, 0.0019f};
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, MagnitudeSelection.belowThreshold(w, 2e-3).mask());
        // a share: |w| sorted 0.5, 1, 1, 2, 3, 5
        float[] v = {3, -1, 2, -1, 5, 0.5f};
        MagnitudeSelection half = MagnitudeSelection.smallestFraction(v, 0.5);
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, half.mask());
        assertEquals(2f, half.bound());
        // two of six: among the equal magnitudes 1 the earlier entry wins
        MagnitudeSelection third = MagnitudeSelection.smallestFraction(v, 2.0 / 6);
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1}, third.mask());
        assertEquals(1f, third.bound());
        assertEquals(Float.POSITIVE_INFINITY, MagnitudeSelection.smallestFraction(v, 1.0).bound());
        // through the adapter, on a layer: 0.25 of 8 weights
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(
                new float[] {0.4f, -0.01f, 0.3f, 0.2f, -0.02f, 0.9f, 0.05f, -0.6f}, new float[2]))) {
            peft.addAdapter("a", spec(AdapterTargets.modules("fc"), 0.25, 0, 0), 2, 1L);
            assertArrayEquals(new float[] {0, 1, 0, 0, 1, 0, 0, 0}, peft.adapterTensors("a").get(MASK).toFloatArray());
            assertEquals(Map.of("fc", 2), peft.ranks("a"));
        }
    }

    @Test
    public void nuclearNormAndSubgradientMatchTheSvd() {
        // diag(3, -4): sigma 3 and 4, U V^T = diag(1, -1)
        assertArrayEquals(new double[] {1, 0, 0, -1}, NuclearNorm.subgradient(new float[] {3, 0, 0, -4}, 2, 2), 1e-12);
        // [1 2 2] = 3 [1 2 2]/3 . 1
        assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3, 2.0 / 3}, NuclearNorm.subgradient(new float[] {1, 2, 2}, 1, 3), 1e-7);
        // rank one: the zero singular value adds nothing
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5}, NuclearNorm.subgradient(new float[] {1, 1, 1, 1}, 2, 2), 1e-7);
        assertArrayEquals(new double[4], NuclearNorm.subgradient(new float[4], 2, 2), 0);
        // numpy: u, s, vt = np.linalg.svd(M, full_matrices=False); s.sum(), u @ vt
        float[] m = {1, -2, 0.5f, 3, 0, 1, -1, 2, 2, 0.5f, 1, -1};
        double[] expected = {0.296945091219, -0.61760439067, 0.213572354528, 0.696258054752, 0.114618412762,
            0.639072118303, -0.406633738664, 0.642727352494, 0.866742137799, 0.285851844947, 0.343511958059,
            -0.221464046685};
        assertArrayEquals(expected, NuclearNorm.subgradient(m, 3, 4), 1e-6);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray matrix = manager.create(m, new ai.djl.ndarray.types.Shape(3, 4));
            try (GradientMode ignored = GradientMode.enabled()) {
                matrix.setRequiresGradient(true);
                NDArray norm = NuclearNorm.of(matrix);
                assertEquals(8.500260978850147, norm.getFloat(), 1e-5);
                GradientMode.backward(norm);
                float[] gradient = matrix.getGradient().toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], gradient[i], 1e-6, "gradient[" + i + "]");
                }
            }
        }
    }

    @Test
    public void penaltyIsLambdaTimesTheNuclearNormOfEachUpdate() {
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {0, 0, 0, 0, 0, 0}, new float[2]))) {
            SaraSpec sara = spec(AdapterTargets.modules("fc"), 1.0, 0, 0.1);
            peft.addAdapter("a", sara, 2, 1L);
            List<AdapterModule> modules = List.copyOf(peft.modules("a").values());
            assertEquals(0f, sara.trainingPenalty(modules).orElseThrow().getFloat());
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            // dW = [[1 2 2] [0 0 0]]: nuclear norm 3
            tensors.put(DELTA, TensorData.ofFloats(new long[] {2, 3}, new float[] {1, 2, 2, 0, 0, 0}));
            peft.loadAdapterTensors("a", tensors);
            assertEquals(0.3f, sara.trainingPenalty(modules).orElseThrow().getFloat(), 1e-6f);
            assertTrue(spec(AdapterTargets.modules("fc"), 1.0, 0, 0).trainingPenalty(modules).isEmpty());
        }
    }

    @Test
    public void progressiveStepKeepsTheGrownWeightsAndRetrainsTheSmallOnes() {
        // threshold 2e-3 selects w[1], w[2], w[3]
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(
                new float[] {0.5f, 0.001f, -0.001f, 0f}, new float[2]))) {
            peft.addAdapter("a", new SaraSpec(AdapterTargets.modules("fc"), 2e-3, 0, 1, 0), 2, 1L);
            peft.setActiveAdapters(List.of("a"));
            Map<String, TensorData> tensors = new LinkedHashMap<>(peft.adapterTensors("a"));
            assertArrayEquals(new float[] {0, 1, 1, 1}, tensors.get(MASK).toFloatArray());
            tensors.put(DELTA, TensorData.ofFloats(new long[] {2, 2}, new float[] {7, 0.01f, 0.0005f, -0.0025f}));
            peft.loadAdapterTensors("a", tensors);
            float[] x = {1, 2, 3, 4};
            float[] before = AdapterContract.forward(peft.network(), x, 2);
            SaraModule module = (SaraModule) peft.modules("a").get("fc");
            // |W0 + dW| = 0.011, 0.0005, 0.0025: only the second stays below 2e-3
            assertEquals(1, module.reselect());
            Map<String, TensorData> after = peft.adapterTensors("a");
            assertArrayEquals(new float[] {0, 0, 1, 0}, after.get(MASK).toFloatArray());
            assertArrayEquals(new float[] {0, 0.01f, 0, -0.0025f}, after.get(FIXED).toFloatArray(), 0f);
            assertArrayEquals(new float[] {0, 0, 0.0005f, 0}, after.get(DELTA).toFloatArray(), 0f);
            assertArrayEquals(before, AdapterContract.forward(peft.network(), x, 2), 1e-7f);
        }
    }

    private static Map<String, TensorData> train(SaraSpec sara, long seed) {
        float[] x = AdapterContract.input(MLP, 24);
        int[] labels = new int[24];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % MLP_OUTPUTS;
        }
        TensorDataset data = new TensorDataset(x, labels, MLP.inputShape());
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            peft.addAdapter("a", sara, MLP_OUTPUTS, seed);
            peft.setActiveAdapters(List.of("a"));
            peft.setTrainable("a");
            TrainingPlan plan = new TrainingPlan(0, 0, 24, 16, 8, 3);
            try (NetworkOptimiser opt = peft.createOptimiser("a", new AdamOptimiserFactory(0.01), plan)) {
                assertInstanceOf(ProgressiveOptimiser.class, opt);
                new TrainingLoop(3, 8, 0, 1).fit(peft.network(), opt, data, null,
                        peft.withPenalty("a", BatchObjective.crossEntropy()), new SplittableRandom(seed),
                        TrainingListener.NONE);
            }
            Map<String, TensorData> out = new LinkedHashMap<>(peft.adapterTensors("a"));
            peft.merge();
            out.putAll(peft.mergedStateDict());
            return out;
        }
    }

    @Test
    public void onlySelectedWeightsChangeAndTheSameSeedGivesTheSameResult() {
        SaraSpec sara = spec(AdapterTargets.allLinear(), 0.3, 4, 0.01);
        long seed = TestSeeds.of(3);
        Map<String, TensorData> trained = train(sara, seed);
        assertEquals(trained, train(sara, seed));
        Map<String, TensorData> base;
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            base = peft.mergedStateDict();
            peft.addAdapter("a", sara, MLP_OUTPUTS, seed);
            Map<String, TensorData> initial = peft.adapterTensors("a");
            for (String layer : new String[] {"fc1", "fc2"}) {
                float[] w0 = base.get(layer + ".weight").toFloatArray();
                float[] w = trained.get(layer + ".weight").toFloatArray();
                float[] selected = initial.get("base_model.model." + layer + ".sara_mask.weight").toFloatArray();
                float[] kept = trained.get("base_model.model." + layer + ".sara_mask.weight").toFloatArray();
                int changed = 0;
                for (int i = 0; i < w.length; i++) {
                    if (selected[i] == 0) {
                        assertEquals(w0[i], w[i], 0f, layer + " weight " + i + " is not selected");
                    } else {
                        changed += w0[i] != w[i] ? 1 : 0;
                    }
                    assertTrue(kept[i] <= selected[i], "the progressive step only narrows the selection");
                }
                assertTrue(changed > 0, layer + ": selected weights train");
                assertEquals(base.get(layer + ".bias"), trained.get(layer + ".bias"), layer + " bias");
            }
        }
    }

    @Test
    public void mergesExactlyAndRoundTrips(@TempDir Path dir) throws Exception {
        AdapterContract.assertMergeEqualsUnmerged(spec(AdapterTargets.allLinear(), 0.5, 0, 5e-4), MLP, MLP_OUTPUTS);
        AdapterContract.assertMergeEqualsUnmerged(spec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 0.5,
                0, 5e-4), CNN, CNN_OUTPUTS);
        SaraSpec cnn = spec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 0.25, 2, 1e-3);
        AdapterContract.assertOnlyAdapterTrains(cnn, CNN, CNN_OUTPUTS);
        AdapterContract.assertSaveLoadRoundTrip(cnn, CNN, CNN_OUTPUTS, dir);
        Helpers.testConfigurableRoundtrip(cnn);
        assertEquals(SaraSpec.class, PeftMethods.installed().forType(SaraSpec.PEFT_TYPE).specClass());
        Map<String, ?> configured = cnn.getProvenance().getConfiguredParameters();
        for (String option : new String[] {"threshold", "fraction", "progressiveIter", "lambdaRank"}) {
            assertTrue(configured.containsKey(option), option + " in " + configured.keySet());
        }
        assertTrue(cnn.toPeftConfig().toString().contains("\"progressive_iter\" : 2"), cnn.toPeftConfig().toString());
        // the dense difference is what DJL trains: fc1 4 -> 6 and conv2 3 -> 4 (3x3), conv1 1 -> 3 (3x3)
        assertEquals(4 * 6 + 4 * 3 * 9 + 3 * 9, AdapterContract.trainableCount(
                spec(AdapterTargets.modules("conv1", "conv2", "fc1"), 0.25, 0, 0), CNN, CNN_OUTPUTS));
    }

    @Test
    public void rejectsBadSettings() {
        AdapterTargets fc = AdapterTargets.modules("fc");
        assertTrue(assertThrows(PropertyException.class, () -> new SaraSpec(fc, 0, 0, 0, 0))
                .getMessage().contains("threshold must be positive and finite, found 0.0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SaraSpec(fc, 2e-3, 1.5, 0, 0))
                .getMessage().contains("fraction must be between 0 and 1, found 1.5"));
        assertTrue(assertThrows(PropertyException.class, () -> new SaraSpec(fc, 2e-3, Double.NaN, 0, 0))
                .getMessage().contains("fraction must be between 0 and 1, found NaN"));
        assertTrue(assertThrows(PropertyException.class, () -> new SaraSpec(fc, 2e-3, 0, -1, 0))
                .getMessage().contains("progressiveIter must be at least 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new SaraSpec(fc, 2e-3, 0, 0, Double.POSITIVE_INFINITY))
                .getMessage().contains("lambdaRank must be finite and at least 0, found Infinity"));
        try (PeftNetwork peft = PeftNetwork.wrap(SingleLayerNetworks.linear(new float[] {0.5f, -0.25f, 1, 2}, new float[2]))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("a", new SaraSpec(fc, 2e-3, 0, 0, 0), 2, 1L));
            assertTrue(e.getMessage().contains("SaRA selects no weight of layer 'fc': its smallest magnitude is 0.25, "
                    + "not below the threshold 0.002"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> peft.addAdapter("b", new SaraSpec(fc, 2e-3, 0.2, 0, 0), 2, 1L));
            assertTrue(e.getMessage().contains("fraction 0.2 of 4 weights is less than one"), e.getMessage());
        }
        assertFalse(new SaraSpec(fc, 2e-3, 0, 0, 0).toString().isEmpty());
    }
}
