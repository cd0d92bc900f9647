package org.tribuoadapt.core.model;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.Dataset;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.LearningRateSchedule;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class NetworkTrainerTest {

    private static final int SIZE = 8;

    static MLPSpec mlp() {
        return new MLPSpec(SIZE * SIZE, new int[] {32}, Activation.RELU, 0.0);
    }

    static CNNSpec cnn() {
        return new CNNSpec(1, SIZE, SIZE, new int[] {4, 8}, true, 2, new int[] {16});
    }

    static double accuracy(NetworkModel model, Dataset<Label> test) {
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, test);
        return evaluation.accuracy();
    }

    @Test
    public void mlpLearnsAndRoundTrips() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 3, SIZE, TestSeeds.of(1));
        MutableDataset<Label> test = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(2));
        NetworkTrainer trainer = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 5, 32, TestSeeds.of(7));
        NetworkModel model = trainer.train(train);
        assertTrue(accuracy(model, test) > 0.9, "accuracy " + accuracy(model, test));
        List<Prediction<Label>> predictions = model.predict(test);
        double sum = 0;
        for (Label l : predictions.get(0).getOutputScores().values()) {
            sum += l.getScore();
        }
        assertEquals(1.0, sum, 1e-5);
        assertTrue(predictions.get(0).hasProbabilities());
        assertEquals(5, model.history().orElseThrow().epochs().size());
        Helpers.testModelProtoSerialization(model, Label.class, test);
        Helpers.testModelSerialization(model, Label.class);
        Helpers.testConfigurableRoundtrip(trainer);
        assertTrue(model.getProvenance().getInstanceProvenance().getMap().containsKey(NetworkProvenance.WEIGHTS_SHA256));
    }

    @Test
    public void cnnAndTransformerLearn() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 3, SIZE, TestSeeds.of(3));
        MutableDataset<Label> test = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(4));
        long seed = TestSeeds.of(7);
        NetworkModel cnnModel = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 4, 32, seed).train(train);
        assertTrue(accuracy(cnnModel, test) > 0.9, "cnn accuracy " + accuracy(cnnModel, test));
        Helpers.testModelProtoSerialization(cnnModel, Label.class, test);
        TransformerSpec vit = TransformerSpec.forImages(1, SIZE, SIZE, 4, 16, 1, 2, 32);
        NetworkModel vitModel = new NetworkTrainer(vit, new AdamOptimiserFactory(0.01), 6, 32, seed).train(train);
        assertTrue(accuracy(vitModel, test) > 0.8, "transformer accuracy " + accuracy(vitModel, test));
        // at Adam 1e-2 for 20 epochs the sequence transformer stalled near 0.6 for some seeds; 3e-3 for 40 epochs
        // reached 1.0 for seed offsets 0-7 on the default, AVX2 and portable kernel paths
        TransformerSpec seq = TransformerSpec.forSequences(SIZE * SIZE, SIZE, 16, 1, 2, 32);
        NetworkModel seqModel = new NetworkTrainer(seq, new AdamOptimiserFactory(0.003), 40, 32, seed).train(train);
        assertTrue(accuracy(seqModel, test) > 0.8, "sequence transformer accuracy " + accuracy(seqModel, test));
    }

    @Test
    public void sameSeedGivesIdenticalWeights() {
        MutableDataset<Label> train = SyntheticImages.dataset(200, 3, SIZE, 5);
        NetworkTrainer a = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 2, 16, 11L, 0.0, 0.2, 2);
        NetworkTrainer b = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 2, 16, 11L, 0.0, 0.2, 2);
        byte[] first = a.train(train).weightBytes();
        assertArrayEquals(first, b.train(train).weightBytes());
        // a second invocation draws new randomness, and resetting the invocation count reproduces it
        byte[] second = a.train(train).weightBytes();
        assertFalse(java.util.Arrays.equals(first, second));
        b.setInvocationCount(1);
        assertArrayEquals(second, b.train(train).weightBytes());
        NetworkTrainer other = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 2, 16, 12L, 0.0, 0.2, 2);
        assertFalse(java.util.Arrays.equals(first, other.train(train).weightBytes()));
    }

    @Test
    public void warmStartAndExport(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        MutableDataset<Label> train = SyntheticImages.dataset(200, 3, SIZE, 6);
        NetworkModel source = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 3, 32, 1L).train(train);
        Path weights = dir.resolve("source.safetensors");
        source.exportWeights(weights);
        assertEquals(source.stateDict().keySet(), SafetensorsReader.read(weights).names());
        // a new four-class task: load everything but the head
        MutableDataset<Label> target = SyntheticImages.dataset(200, 4, SIZE, 7);
        NetworkTrainer fineTuner = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.001), 1, 32, 1L)
                .withInitialWeights(weights, List.of("head"));
        NetworkModel tuned = fineTuner.train(target);
        assertTrue(tuned.getProvenance().getInstanceProvenance().getMap().containsKey(NetworkProvenance.INITIAL_WEIGHTS_SHA256));
        Helpers.testConfigurableRoundtrip(fineTuner);
        NetworkModel again = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.001), 1, 32, 1L).fineTune(train, source, Collections.emptyMap());
        assertEquals(4, tuned.getOutputIDInfo().size());
        assertEquals(3, again.getOutputIDInfo().size());
        // without re-initialising the head, the shape mismatch is named
        NetworkTrainer wrong = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.001), 1, 32, 1L)
                .withInitialWeights(weights, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.train(target));
        assertTrue(e.getMessage().contains("head.weight") && e.getMessage().contains("[3, 32]"), e.getMessage());
    }

    @Test
    public void earlyStoppingKeepsTheBestEpoch() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 8);
        NetworkModel model = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.05), 30, 16, 3L, 1.0, 0.25, 2).train(train);
        var history = model.history().orElseThrow();
        double best = history.best().validationLoss();
        for (var epoch : history.epochs()) {
            assertTrue(best <= epoch.validationLoss());
        }
        if (history.stoppedEarly()) {
            assertEquals(history.bestEpoch() + 2, history.epochs().size());
        }
    }

    /** Halves the rate after every epoch whose validation accuracy is below a bar. */
    public static final class HalvingSchedule implements LearningRateSchedule {
        private static final long serialVersionUID = 1L;

        @Override
        public double nextRate(List<EpochSummary> epochs, double currentRate) {
            return epochs.get(epochs.size() - 1).validationAccuracy() < 2 ? currentRate / 2 : currentRate;
        }
    }

    /** SGD behind an optimiser that, like hypergradient descent, keeps the rate to itself. */
    public static final class OwnRateFactory implements OptimiserFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
            NetworkOptimiser sgd = new SGDOptimiserFactory(0.1, 0.0, false, 0.0).create(parameters, plan);
            return new NetworkOptimiser() {
                @Override
                public void step() {
                    sgd.step();
                }

                @Override
                public double learningRate() {
                    return sgd.learningRate();
                }

                @Override
                public void close() {
                    sgd.close();
                }
            };
        }
    }

    @Test
    public void aScheduleSetsTheRateOfTheFollowingEpochsAndIsRecorded() {
        MutableDataset<Label> train = SyntheticImages.dataset(96, 3, SIZE, 11);
        NetworkTrainer trainer = new NetworkTrainer(mlp(), new SGDOptimiserFactory(0.1, 0.0, false, 0.0), 3, 16, 3L,
                0.0, 0.25, 10).withLearningRateSchedule(new HalvingSchedule());
        NetworkModel model = trainer.train(train);
        TrainingHistory history = model.history().orElseThrow();
        int perEpoch = history.steps() / 3;
        double[] rates = history.stepLearningRates();
        for (int step = 0; step < rates.length; step++) {
            assertEquals(0.1 / (1 << (step / perEpoch)), rates[step], 1e-15, "step " + step);
        }
        assertEquals("after epoch 1: 0.05; after epoch 2: 0.025", model.getProvenance().getInstanceProvenance().getMap()
                .get(NetworkProvenance.LEARNING_RATE_CHANGES).toString());
        assertTrue(trainer.getProvenance().toString().contains("HalvingSchedule"), trainer.getProvenance().toString());
        PropertyException e = assertThrows(PropertyException.class, () -> new NetworkTrainer(mlp(),
                new AdamOptimiserFactory(0.01), 2, 16, 1L).withLearningRateSchedule(new HalvingSchedule()));
        assertTrue(e.getMessage().contains("validationFraction"), e.getMessage());
        NetworkTrainer ownRate = new NetworkTrainer(mlp(), new OwnRateFactory(), 2, 16, 1L, 0.0, 0.25, 3)
                .withLearningRateSchedule(new HalvingSchedule());
        UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class, () -> ownRate.train(train));
        assertTrue(refused.getMessage().contains("cannot follow a learning-rate schedule"), refused.getMessage());
    }

    @Test
    public void badInputIsRejectedClearly() {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> empty = new MutableDataset<>(new SimpleDataSourceProvenance("empty", factory), factory);
        NetworkTrainer trainer = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 1, 16, 1L);
        assertThrows(IllegalArgumentException.class, () -> trainer.train(empty));

        // Tribuo's datasets refuse NaN themselves; examples given straight to the model are checked by the bridge
        NetworkModel model = trainer.train(SyntheticImages.dataset(20, 2, SIZE, 9));
        String[] names = SyntheticImages.featureNames(SIZE * SIZE);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            double[] values = new double[SIZE * SIZE];
            values[5] = bad;
            ArrayExample<Label> example = new ArrayExample<>(new Label("c0"), names, values);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(example));
            assertTrue(e.getMessage().contains(Double.toString(bad)) && e.getMessage().contains(names[5]), e.getMessage());
        }
        IllegalArgumentException e;

        MutableDataset<Label> small = SyntheticImages.dataset(20, 2, 4, 9);
        e = assertThrows(IllegalArgumentException.class, () -> trainer.train(small));
        assertTrue(e.getMessage().contains("16 features") && e.getMessage().contains("64"), e.getMessage());

        MutableDataset<Label> data = SyntheticImages.dataset(64, 2, SIZE, 10);
        NetworkTrainer exploding = new NetworkTrainer(mlp(), new SGDOptimiserFactory(1e30, 0.0, false, 0.0), 2, 16, 1L);
        IllegalStateException diverged = assertThrows(IllegalStateException.class, () -> exploding.train(data));
        assertTrue(diverged.getMessage().contains("learning rate"), diverged.getMessage());
        // a huge Adam rate keeps the loss finite but multiplies it: refused as divergence, not saved
        NetworkTrainer huge = new NetworkTrainer(mlp(), new AdamOptimiserFactory(1e6), 3, 16, 1L);
        diverged = assertThrows(IllegalStateException.class, () -> huge.train(data));
        assertTrue(diverged.getMessage().contains("diverged") && diverged.getMessage().contains("1000000"),
                diverged.getMessage());

        assertThrows(PropertyException.class, () -> new MLPSpec(64, new int[] {0}, Activation.RELU, 0.0));
        assertThrows(PropertyException.class, () -> new SGDOptimiserFactory(-0.1, 0.0, false, 0.0));
        assertThrows(PropertyException.class, () -> new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 0, 16, 1L));
        assertThrows(PropertyException.class, () -> new AdamOptimiserFactory(0.01, 1.5, 0.999, 1e-8, 0, false));
    }
}
