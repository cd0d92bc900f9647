package org.tribuoadapt.hpo.federated;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.testing.TestSeeds;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The federated simulation end to end on small synthetic images: FedAvg and FedHyper learn, runs are reproducible,
 * the history and provenance record the schedule, the configuration round-trips, and bad settings are rejected.
 */
public class FederatedTrainerTest {

    private static final int SIZE = 8;

    private static MLPSpec mlp() {
        return new MLPSpec(SIZE * SIZE, new int[] {16}, Activation.RELU, 0.0);
    }

    private static FederatedTrainer fedAvg(int rounds, double learningRate) {
        return new FederatedTrainer(mlp(), rounds, 8, 0.5, 2, 16, learningRate, 0.5, TestSeeds.of(3), TestSeeds.of(11));
    }

    @Test
    public void fedAvgAndFedHyperLearnAndRecordTheirSchedule() {
        MutableDataset<Label> train = SyntheticImages.dataset(480, 3, SIZE, TestSeeds.of(31));
        MutableDataset<Label> test = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(32));
        List<FederatedRound> seen = new ArrayList<>();
        FederatedTrainer fedAvg = fedAvg(6, 0.1).withValidation(0.1);
        fedAvg.setListener((round, network) -> seen.add(round));
        NetworkModel averaged = fedAvg.train(train);
        double accuracy = new LabelEvaluator().evaluate(averaged, test).accuracy();
        assertTrue(accuracy > 0.85, "FedAvg accuracy " + accuracy);
        assertEquals(6, seen.size());
        assertEquals(4, seen.get(0).sampledClients());
        for (FederatedRound r : seen) {
            assertEquals(1.0, r.globalMultiplier(), 0.0);
            assertEquals(0.1, r.clientLearningRate(), 0.0);
            assertFalse(Double.isNaN(r.validationAccuracy()));
        }
        List<EpochSummary> rounds = averaged.history().orElseThrow().epochs();
        assertEquals(6, rounds.size());
        assertEquals(seen.get(5).validationAccuracy(), rounds.get(5).validationAccuracy(), 0.0);

        FederatedTrainer fedHyper = fedAvg(6, 0.05).withSchedulers(GlobalScheduler.GM, true, true).withValidation(0.1);
        NetworkModel hyper = fedHyper.train(train);
        double hyperAccuracy = new LabelEvaluator().evaluate(hyper, test).accuracy();
        assertTrue(hyperAccuracy > 0.85, "FedHyper accuracy " + hyperAccuracy);
        Map<String, ? extends Provenance> instance = hyper.getProvenance().getInstanceProvenance().getMap();
        ListProvenance<?> multipliers = (ListProvenance<?>) instance.get(FederatedProvenance.GLOBAL_MULTIPLIERS);
        assertEquals(6, multipliers.getList().size());
        assertTrue(instance.containsKey(FederatedProvenance.VALIDATION_ACCURACY));
        assertTrue(instance.containsKey(FederatedProvenance.SMALLEST_CLIENT));
        double[] rates = hyper.history().orElseThrow().stepLearningRates();
        assertEquals(0.05, rates[0], 0.0);
        assertNotEquals(0.05, rates[5], "SL changed the client learning rate");

        Helpers.testProvenanceMarshalling(hyper.getProvenance());
        Helpers.testConfigurableRoundtrip(fedHyper);
        Helpers.testModelProtoSerialization(hyper, Label.class, test);
    }

    @Test
    public void sameSeedsGiveTheSameModelAndInvocationCountsAdvance() {
        MutableDataset<Label> train = SyntheticImages.dataset(240, 3, SIZE, 33);
        FederatedTrainer a = fedAvg(3, 0.05).withSchedulers(GlobalScheduler.G, false, true);
        FederatedTrainer b = fedAvg(3, 0.05).withSchedulers(GlobalScheduler.G, false, true);
        NetworkModel first = a.train(train);
        assertArrayEquals(first.weightBytes(), b.train(train).weightBytes());
        NetworkModel second = a.train(train);
        assertEquals(2, a.getInvocationCount());
        assertFalse(java.util.Arrays.equals(first.weightBytes(), second.weightBytes()));
        a.setInvocationCount(1);
        assertArrayEquals(second.weightBytes(), a.train(train).weightBytes());
    }

    @Test
    public void convolutionalNetworksWithBatchNormAverageTheirBuffers() {
        MutableDataset<Label> train = SyntheticImages.dataset(240, 3, 8, TestSeeds.of(34));
        MutableDataset<Label> test = SyntheticImages.dataset(60, 3, 8, TestSeeds.of(35));
        CNNSpec cnn = new CNNSpec(1, 8, 8, new int[] {4}, true, 2, new int[] {8});
        FederatedTrainer trainer = new FederatedTrainer(cnn, 10, 4, 0.5, 1, 16, 0.05, 1.0, TestSeeds.of(1), TestSeeds.of(2));
        NetworkModel model = trainer.train(train);
        assertTrue(new LabelEvaluator().evaluate(model, test).accuracy() > 0.6);
        float[] counter = model.stateDict().get("bn1.num_batches_tracked").toFloatArray();
        assertTrue(counter[0] > 0, "BatchNorm's counter was averaged: " + counter[0]);
    }

    @Test
    public void badSettingsAreRejected() {
        PropertyException alpha = assertThrows(PropertyException.class,
                () -> new FederatedTrainer(mlp(), 2, 4, 0.5, 1, 8, 0.1, 0.0, 1L, 1L));
        assertTrue(alpha.getMessage().contains("dirichletAlpha"), alpha.getMessage());
        PropertyException fraction = assertThrows(PropertyException.class,
                () -> new FederatedTrainer(mlp(), 2, 4, 1.5, 1, 8, 0.1, 0.5, 1L, 1L));
        assertTrue(fraction.getMessage().contains("clientFraction") && fraction.getMessage().contains("(0, 1]"), fraction.getMessage());
        assertThrows(PropertyException.class, () -> new FederatedTrainer(mlp(), 2, 4, 0.0, 1, 8, 0.1, 0.5, 1L, 1L));
        assertThrows(PropertyException.class, () -> new FederatedTrainer(mlp(), 0, 4, 0.5, 1, 8, 0.1, 0.5, 1L, 1L));
        assertThrows(PropertyException.class, () -> new FederatedTrainer(mlp(), 2, 4, 0.5, 1, 8, -0.1, 0.5, 1L, 1L));
        assertThrows(PropertyException.class, () -> fedAvg(2, 0.1).withLocalMomentum(1.0));

        MutableDataset<Label> tiny = SyntheticImages.dataset(20, 2, SIZE, 36);
        IllegalArgumentException clients = assertThrows(IllegalArgumentException.class,
                () -> new FederatedTrainer(mlp(), 1, 50, 0.1, 1, 8, 0.1, 0.5, 1L, 1L).train(tiny));
        assertTrue(clients.getMessage().contains("cannot give 50 clients"), clients.getMessage());
        MutableDataset<Label> empty = new MutableDataset<>(new SimpleDataSourceProvenance("empty", new LabelFactory()), new LabelFactory());
        assertThrows(IllegalArgumentException.class, () -> fedAvg(2, 0.1).train(empty));
    }

    @Test
    public void divergingClientsFailWithTheRoundAndClient() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 37);
        FederatedTrainer wild = new FederatedTrainer(mlp(), 3, 4, 0.5, 2, 8, 1e30, 0.5, 1L, 1L)
                .withSchedulers(GlobalScheduler.NONE, false, true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> wild.train(train));
        assertTrue(e.getMessage().startsWith("round "), e.getMessage());
    }
}
