package org.tribuoadapt.robust.blackvip;

import ai.onnxruntime.OrtException;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Excuse;
import org.tribuo.Feature;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.testing.OnnxBlackBox;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class BlackVipTest {

    private static final int SIDE = RobustFixtures.SIZE;

    private static CoordinatorSpec coordinator() {
        return new CoordinatorSpec(1, SIDE, SIDE, 8, 2, 8, 1.0);
    }

    /** A logistic regression: a black box that trains at once. */
    private static Model<Label> logistic() {
        return new LinearSGDTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.1), 5, 1L).train(RobustFixtures.train());
    }

    /**
     * The target domain: every pixel brightened by {@code offset} (clipped at 1), keeping at most {@code perClass}
     * examples of each class (0 for all).
     */
    private static MutableDataset<Label> brightened(Iterable<Example<Label>> data, double offset, int perClass) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> out = new MutableDataset<>(
                new SimpleDataSourceProvenance("brightened-" + offset + "-" + perClass, factory), factory);
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (Example<Label> e : data) {
            int seen = counts.merge(e.getOutput().getLabel(), 1, Integer::sum);
            if (perClass > 0 && seen > perClass) {
                continue;
            }
            String[] names = new String[e.size()];
            double[] values = new double[e.size()];
            int i = 0;
            for (Feature f : e) {
                names[i] = f.getName();
                values[i++] = Math.min(1.0, f.getValue() + offset);
            }
            out.add(new ArrayExample<>(e.getOutput(), names, values));
        }
        return out;
    }

    private static double accuracy(Model<Label> model, MutableDataset<Label> data) {
        List<Prediction<Label>> predictions = model.predict(data);
        int right = 0;
        for (int i = 0; i < predictions.size(); i++) {
            right += predictions.get(i).getOutput().getLabel().equals(data.getExample(i).getOutput().getLabel()) ? 1 : 0;
        }
        return (double) right / predictions.size();
    }

    /**
     * The black box of the transfer test: the fixtures' undefended CNN, trained with fixed seeds (those of seed offset
     * 0) rather than {@link TestSeeds}. Whether a brightening hurts a CNN is a property of that network (some of the
     * other offsets' CNNs ignore it), and the test is about the prompt: the shots and BlackVIP's seed follow the offset.
     */
    private static Model<Label> brightnessSensitiveCnn() {
        return new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 8, 32, 7L)
                .train(RobustFixtures.barsAndStripes(600, 11L));
    }

    @Test
    public void fewShotPromptingRecoversABrightenedDomain() {
        // the CNN learnt the faint stripes on images in [0.35, 0.65]; brightened by 0.4 it loses about a third of them
        Model<Label> blackBox = brightnessSensitiveCnn();
        MutableDataset<Label> test = brightened(RobustFixtures.test(), 0.4, 0);
        MutableDataset<Label> shots = brightened(RobustFixtures.barsAndStripes(60, TestSeeds.of(21)), 0.4, 10);
        double before = accuracy(blackBox, test);
        BlackVipModel prompted = new BlackVipTrainer(blackBox, coordinator(), new SpsaGcOptimiser(0.003, 0.01, 5), 10, 10,
                TestSeeds.of(4)).train(shots);
        double after = accuracy(prompted, test);
        assertTrue(before < 0.85, "the shift should hurt the black box, accuracy " + before);
        assertTrue(after >= before + 0.2, "prompted accuracy " + after + " vs unprompted " + before);
    }

    @Test
    public void everyQueryIsCounted() {
        CountingModel blackBox = new CountingModel(logistic());
        MutableDataset<Label> shots = brightened(RobustFixtures.test(), 0.2, 10);
        int epochs = 2;
        int samples = 3;
        int batchSize = 8;
        BlackVipModel model = new BlackVipTrainer(blackBox, coordinator(), new SpsaGcOptimiser(0.003, 0.01, samples),
                epochs, batchSize, TestSeeds.of(2)).train(shots);
        // each step queries the black box twice per direction for each image of its minibatch
        long expected = (long) epochs * 2 * samples * shots.size();
        assertEquals(30, shots.size());
        assertEquals(expected, model.trainingQueries());
        assertEquals(expected, blackBox.predicted);
        Map<String, ?> instance = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(Long.toString(expected), instance.get(BlackVipTrainer.QUERIES_PROVENANCE).toString());
        assertEquals(Integer.toString(epochs * 4), instance.get(BlackVipTrainer.STEPS_PROVENANCE).toString());
        blackBox.predicted = 0;
        model.predict(shots);
        assertEquals(shots.size(), blackBox.predicted);
    }

    @Test
    public void theSameSeedGivesTheSameCoordinator() {
        Model<Label> blackBox = logistic();
        MutableDataset<Label> shots = brightened(RobustFixtures.test(), 0.3, 10);
        byte[] first = train(blackBox, shots, 5L).coordinatorWeights();
        byte[] second = train(blackBox, shots, 5L).coordinatorWeights();
        byte[] other = train(blackBox, shots, 6L).coordinatorWeights();
        assertArrayEquals(first, second);
        assertFalse(Arrays.equals(first, other));
    }

    private static BlackVipModel train(Model<Label> blackBox, MutableDataset<Label> data, long seed) {
        return new BlackVipTrainer(blackBox, coordinator(), new SpsaGcOptimiser(0.01, 0.01, 2), 2, 10, seed).train(data);
    }

    @Test
    public void theInitialPromptIsZeroAndEveryPromptIsBounded() {
        MutableDataset<Label> data = RobustFixtures.test();
        List<Example<Label>> examples = new ArrayList<>(data.getData()).subList(0, 12);
        var queries = BlackVipModel.queries(logistic(), coordinator());
        float[] images = queries.tensorizer().toArray(examples);
        try (Coordinator initial = Coordinator.initial(coordinator(), 3L)) {
            assertTrue(initial.decoderSize() > 0);
            assertArrayEquals(images, initial.prompt(images, initial.encode(images, 12), 12));
        }
        CoordinatorSpec tight = new CoordinatorSpec(1, SIDE, SIDE, 4, 0, 4, 0.05);
        BlackVipModel model = new BlackVipTrainer(logistic(), tight, new SpsaGcOptimiser(0.5, 0.05, 2), 2, 10, 3L)
                .train(brightened(data, 0.3, 10));
        float[] prompted = queries.tensorizer().toArray(model.prompted(examples));
        float largest = 0;
        for (int i = 0; i < images.length; i++) {
            assertTrue(prompted[i] >= 0 && prompted[i] <= 1, "pixel " + prompted[i]);
            largest = Math.max(largest, Math.abs(prompted[i] - images[i]));
        }
        assertTrue(largest <= 0.05 + 1e-6, "prompt of " + largest);
        assertTrue(largest > 0, "the prompt moved");
    }

    @Test
    public void badInputIsRefusedWithAMessage() {
        Model<Label> blackBox = logistic();
        SpsaGcOptimiser spsa = new SpsaGcOptimiser();
        PropertyException epochs = assertThrows(PropertyException.class,
                () -> new BlackVipTrainer(blackBox, coordinator(), spsa, 0, 10, 1L));
        assertTrue(epochs.getMessage().contains("epochs"), epochs.getMessage());
        PropertyException batch = assertThrows(PropertyException.class,
                () -> new BlackVipTrainer(blackBox, coordinator(), spsa, 1, -1, 1L));
        assertTrue(batch.getMessage().contains("batchSize"), batch.getMessage());
        assertThrows(PropertyException.class, () -> new BlackVipTrainer(blackBox, null, spsa, 1, 10, 1L));
        assertThrows(PropertyException.class, () -> new BlackVipTrainer((Path) null, coordinator(), spsa, 1, 10, 1L));
        PropertyException odd = assertThrows(PropertyException.class, () -> new CoordinatorSpec(1, 10, 10, 8, 2, 8, 1.0));
        assertTrue(odd.getMessage().contains("divisible by 4"), odd.getMessage());
        assertThrows(PropertyException.class, () -> new CoordinatorSpec(1, SIDE, SIDE, 0, 2, 8, 1.0));
        assertThrows(PropertyException.class, () -> new CoordinatorSpec(1, SIDE, SIDE, 8, 2, 8, Double.NaN));

        PropertyException shape = assertThrows(PropertyException.class, () -> new BlackVipTrainer(blackBox,
                new CoordinatorSpec(1, 12, 12, 8, 2, 8, 1.0), spsa, 1, 10, 1L));
        assertTrue(shape.getMessage().contains("1x12x12"), shape.getMessage());
        Model<Label> hinge = new LinearSGDTrainer(new Hinge(), SGD.getSimpleSGD(0.1), 1, 1L).train(RobustFixtures.test());
        PropertyException probabilities = assertThrows(PropertyException.class,
                () -> new BlackVipTrainer(hinge, coordinator(), spsa, 1, 10, 1L));
        assertTrue(probabilities.getMessage().contains("probabilities"), probabilities.getMessage());

        BlackVipTrainer trainer = new BlackVipTrainer(blackBox, coordinator(), spsa, 1, 10, 1L);
        // Tribuo's datasets refuse NaN, so a non-finite value reaches training as an infinity, and prediction as NaN
        MutableDataset<Label> withInfinity = brightened(RobustFixtures.test(), 0.0, 2);
        String[] names = SyntheticImages.featureNames(SIDE * SIDE);
        double[] values = new double[SIDE * SIDE];
        values[5] = Double.POSITIVE_INFINITY;
        withInfinity.add(new ArrayExample<>(new Label("c0"), names, values));
        IllegalArgumentException infinite = assertThrows(IllegalArgumentException.class, () -> trainer.train(withInfinity));
        assertTrue(infinite.getMessage().contains("Infinity"), infinite.getMessage());
        BlackVipModel model = trainer.train(brightened(RobustFixtures.test(), 0.0, 2));
        values[5] = Double.NaN;
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> model.predict(new ArrayExample<>(new Label("c0"), names, values)));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());

        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> otherFeatures = new MutableDataset<>(new SimpleDataSourceProvenance("other", factory),
                factory);
        otherFeatures.add(new ArrayExample<>(new Label("c0"), new String[] {"a", "b"}, new double[] {0.1, 0.2}));
        assertThrows(IllegalArgumentException.class, () -> trainer.train(otherFeatures));
        MutableDataset<Label> unknown = brightened(RobustFixtures.test(), 0.0, 1);
        unknown.add(new ArrayExample<>(new Label("c9"), names, new double[SIDE * SIDE]));
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> trainer.train(unknown));
        assertTrue(label.getMessage().contains("c9"), label.getMessage());
        MutableDataset<Label> empty = new MutableDataset<>(new SimpleDataSourceProvenance("empty", factory), factory);
        assertThrows(IllegalArgumentException.class, () -> trainer.train(empty));
    }

    @Test
    public void anOnnxBlackBoxTrainsAndTheModelRoundTrips(@TempDir Path dir) throws IOException, OrtException {
        MutableDataset<Label> shots = brightened(RobustFixtures.test(), 0.3, 10);
        try (ONNXExternalModel<Label> blackBox = OnnxBlackBox.create(dir)) {
            Path file = dir.resolve("black-box.tribuo");
            blackBox.serializeToFile(file);
            BlackVipTrainer trainer = new BlackVipTrainer(file, coordinator(), new SpsaGcOptimiser(0.01, 0.01, 2), 1, 10,
                    TestSeeds.of(9));
            BlackVipModel model = trainer.train(shots);
            assertEquals(2L * 2 * shots.size(), model.trainingQueries());
            Helpers.testModelProtoSerialization(model, Label.class, RobustFixtures.test());
            Helpers.testConfigurableRoundtrip(trainer);
            ModelProvenance provenance = model.getProvenance();
            Map<String, ?> instance = provenance.getInstanceProvenance().getMap();
            assertTrue(instance.containsKey(BlackVipTrainer.BLACK_BOX_PROVENANCE), instance.toString());
            assertTrue(instance.containsKey(BlackVipTrainer.BLACK_BOX_PROVENANCE + "-sha256"), instance.toString());
            var settings = provenance.getTrainerProvenance().getConfiguredParameters();
            for (String key : List.of("coordinator", "optimiser", "epochs", "batchSize", "seed", "blackBoxModelPath")) {
                assertTrue(settings.containsKey(key), key + " missing from " + settings.keySet());
            }
            assertTrue(settings.get("optimiser").toString().contains("gain"), settings.get("optimiser").toString());
            assertTrue(settings.get("coordinator").toString().contains("promptBound"),
                    settings.get("coordinator").toString());
            BlackVipModel copy = (BlackVipModel) Model.deserialize(model.serialize());
            assertEquals(model.trainingQueries(), copy.trainingQueries());
            List<Prediction<Label>> a = model.predict(shots);
            List<Prediction<Label>> b = copy.predict(shots);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).getOutput().getLabel(), b.get(i).getOutput().getLabel());
                assertEquals(a.get(i).getOutput().getScore(), b.get(i).getOutput().getScore(), 1e-6);
            }
        }
    }

    /** A black box that counts the examples it is asked to predict. */
    private static final class CountingModel extends Model<Label> {
        private static final long serialVersionUID = 1L;
        private final Model<Label> inner;
        private long predicted;

        CountingModel(Model<Label> inner) {
            super("counting", inner.getProvenance(), inner.getFeatureIDMap(), inner.getOutputIDInfo(),
                    inner.generatesProbabilities());
            this.inner = inner;
        }

        @Override
        public Prediction<Label> predict(Example<Label> example) {
            predicted++;
            return inner.predict(example);
        }

        @Override
        protected List<Prediction<Label>> innerPredict(Iterable<Example<Label>> examples) {
            List<Prediction<Label>> out = inner.predict(examples);
            predicted += out.size();
            return out;
        }

        @Override
        public Map<String, List<com.oracle.labs.mlrg.olcut.util.Pair<String, Double>>> getTopFeatures(int n) {
            return Map.of();
        }

        @Override
        public Optional<Excuse<Label>> getExcuse(Example<Label> example) {
            return Optional.empty();
        }

        @Override
        protected Model<Label> copy(String newName, ModelProvenance newProvenance) {
            return new CountingModel(inner);
        }
    }
}
