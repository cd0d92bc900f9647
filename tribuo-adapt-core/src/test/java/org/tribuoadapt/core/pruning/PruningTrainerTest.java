package org.tribuoadapt.core.pruning;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.SGDOptimiserFactory;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PruningTrainerTest {

    private static final int SIZE = 8;
    private static MutableDataset<Label> train;
    private static NetworkModel dense;

    @BeforeAll
    public static void trainDense() {
        train = SyntheticImages.dataset(240, 3, SIZE, TestSeeds.of(31));
        dense = new NetworkTrainer(new MLPSpec(SIZE * SIZE, new int[] {24}, Activation.RELU, 0.0),
                new SGDOptimiserFactory(0.1, 0.9, false, 0.0), 3, 32, TestSeeds.of(32)).train(train);
    }

    private static PruningTrainer trainer(double ratio, long seed) {
        return new PruningTrainer(new MagnitudePruning(ratio, PruningScope.LAYER_WISE),
                new SGDOptimiserFactory(0.05, 0.9, false, 5e-4), 2, 32, seed);
    }

    @Test
    public void retrainingKeepsThePrunedEntriesAtZero() {
        PruningTrainer trainer = trainer(0.8, 5);
        NetworkModel pruned = trainer.train(train, dense);
        PruningMask mask;
        try (Network network = dense.newNetwork()) {
            mask = trainer.pruning().maskFor(network);
        }
        Map<String, TensorData> weights = pruned.stateDict();
        Map<String, TensorData> start = dense.stateDict();
        for (String name : mask.tensorNames()) {
            float[] keep = mask.mask(name);
            float[] after = weights.get(name).toFloatArray();
            float[] before = start.get(name).toFloatArray();
            boolean moved = false;
            for (int i = 0; i < keep.length; i++) {
                if (keep[i] == 0f) {
                    assertTrue(after[i] == 0f, name + "[" + i + "] = " + after[i]);
                } else {
                    moved |= after[i] != before[i];
                }
            }
            assertTrue(moved, "retraining changed no kept entry of " + name);
        }
        Map<String, ? extends Provenance> run = pruned.getProvenance().getInstanceProvenance().getMap();
        assertEquals(mask.prunedCount(), Long.parseLong(run.get(PruningTrainer.PRUNED_ENTRIES).toString()));
        assertEquals(1 - mask.prunedShare(), Double.parseDouble(run.get(PruningTrainer.DENSITY).toString()), 1e-12);
        assertEquals(NetworkProvenance.sha256(dense.weightBytes()), run.get(NetworkProvenance.INITIAL_WEIGHTS_SHA256).toString());
        assertTrue(pruned.getProvenance().getTrainerProvenance().toString().contains("ratio"));
        Helpers.testModelProtoSerialization(pruned, Label.class, train);
    }

    @Test
    public void sameSeedIdenticalOtherSeedDifferent() {
        NetworkModel a = trainer(0.5, 11).train(train, dense);
        NetworkModel b = trainer(0.5, 11).train(train, dense);
        NetworkModel c = trainer(0.5, 12).train(train, dense);
        assertArrayEquals(a.weightBytes(), b.weightBytes());
        assertFalse(java.util.Arrays.equals(a.weightBytes(), c.weightBytes()));
    }

    @Test
    public void diagnosesAPairOfRetrainedNetworks() {
        NetworkModel a = trainer(0.5, 21).train(train, dense);
        NetworkModel b = trainer(0.5, 22).train(train, dense);
        ThreeRegimeDiagnostics diagnostics = ThreeRegimeDiagnostics.paperDefaults();
        ThreeRegimeDiagnostics.Diagnosis same = diagnostics.diagnose(a, a, train);
        assertEquals(0.0, same.modeConnectivity());
        assertEquals(1.0, same.cka(), 1e-9);
        assertEquals(Regime.II_B, same.regime());
        assertEquals(11, same.curve().values().length);
        ThreeRegimeDiagnostics.Diagnosis pair = diagnostics.diagnose(a, b, train);
        assertTrue(pair.cka() > 0 && pair.cka() <= 1 + 1e-9, "cka " + pair.cka());
        assertEquals(ThreeRegimeModel.defaults().classify(pair.modeConnectivity(), pair.cka()), pair.regime());
        assertEquals(pair.curve().values()[0], 1 - accuracy(a), 1e-9);
    }

    private static double accuracy(NetworkModel model) {
        return new org.tribuo.classification.evaluation.LabelEvaluator().evaluate(model, train).accuracy();
    }

    @Test
    public void configurationRoundTripsAndRefusesBadSettings() {
        Helpers.testConfigurableRoundtrip(trainer(0.3, 1));
        assertThrows(PropertyException.class, () -> new PruningTrainer(new MagnitudePruning(0.3, PruningScope.GLOBAL),
                new SGDOptimiserFactory(0.1, 0.0, false, 0.0), 0, 32, 1));
        IllegalStateException noBase = assertThrows(IllegalStateException.class, () -> trainer(0.3, 1).train(train));
        assertTrue(noBase.getMessage().contains("baseModel"), noBase.getMessage());
    }
}
