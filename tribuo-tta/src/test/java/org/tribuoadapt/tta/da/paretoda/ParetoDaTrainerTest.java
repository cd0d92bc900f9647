package org.tribuoadapt.tta.da.paretoda;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ParetoDA's objective gradients against finite differences, the trainer's determinism, objective weights,
 * provenance and configuration, the model's serialization round trip, bad input, and training on the fixture CNN's
 * features.
 */
public class ParetoDaTrainerTest {

    private static final int WIDTH = 4;
    private static final int CLASSES = 3;

    /** Three Gaussian blobs; the target's are shifted and scaled. */
    private static float[] blobs(int[] labels, boolean target, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[labels.length * WIDTH];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % CLASSES;
            for (int d = 0; d < WIDTH; d++) {
                double centre = d == labels[i] ? 2 : 0;
                double v = centre + 0.5 * rng.nextGaussian();
                out[i * WIDTH + d] = (float) (target ? 1.5 * v + 0.7 : v);
            }
        }
        return out;
    }

    private static ParetoDaTrainer trainer(DirectionRule rule, long seed) {
        return new ParetoDaTrainer(rule, new double[] {1, 0.5, 0.25}, 6, 30, 16, 0.05, 1e-4, 0.2, seed);
    }

    private static ParetoDaModel train(ParetoDaTrainer trainer) {
        int[] labels = new int[60];
        float[] source = blobs(labels, false, 1);
        float[] target = blobs(new int[50], true, 2);
        return trainer.train(source, labels, target, WIDTH, CLASSES);
    }

    @Test
    public void theGradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        int hidden = 5;
        double[][] weights = {new double[hidden * WIDTH], new double[hidden], new double[CLASSES * hidden],
            new double[CLASSES]};
        for (double[] w : weights) {
            for (int j = 0; j < w.length; j++) {
                w[j] = rng.nextGaussian() * 0.7;
            }
        }
        DaObjectives network = new DaObjectives(weights[0], weights[1], weights[2], weights[3], WIDTH, hidden,
                CLASSES);
        int[] labels = new int[7];
        float[] source = blobs(labels, false, 4);
        float[] target = blobs(new int[6], true, 5);
        for (int objective = 0; objective < ParetoDaTrainer.OBJECTIVES; objective++) {
            DaObjectives.Gradient g = gradient(network, objective, source, labels, target);
            double[][] analytic = {g.w1(), g.b1(), g.w2(), g.b2()};
            for (int block = 0; block < weights.length; block++) {
                for (int j = 0; j < weights[block].length; j++) {
                    double saved = weights[block][j];
                    double step = 1e-6;
                    weights[block][j] = saved + step;
                    double up = gradient(network, objective, source, labels, target).loss();
                    weights[block][j] = saved - step;
                    double down = gradient(network, objective, source, labels, target).loss();
                    weights[block][j] = saved;
                    double numeric = (up - down) / (2 * step);
                    assertEquals(numeric, analytic[block][j], 1e-6 * Math.max(1, Math.abs(numeric)),
                            "objective " + objective + ", block " + block + ", weight " + j);
                }
            }
        }
    }

    private static DaObjectives.Gradient gradient(DaObjectives network, int objective, float[] source, int[] labels,
                                                  float[] target) {
        DaObjectives.Pass s = network.forward(source, labels.length);
        DaObjectives.Pass t = network.forward(target, target.length / WIDTH);
        return switch (objective) {
            case 0 -> network.crossEntropy(s, labels);
            case 1 -> network.coral(s, t);
            default -> network.tcm(t);
        };
    }

    @Test
    public void theLossesMatchTheirDefinitions() {
        // one hidden unit copying the first feature, classifier logits (z, 0, 0)
        DaObjectives network = new DaObjectives(new double[] {1, 0, 0, 0}, new double[1], new double[] {1, 0, 0},
                new double[3], WIDTH, 1, CLASSES);
        float[] x = {1, 0, 0, 0, 3, 0, 0, 0};
        DaObjectives.Pass pass = network.forward(x, 2);
        double[] p1 = {Math.E / (Math.E + 2), 1 / (Math.E + 2), 1 / (Math.E + 2)};
        double e3 = Math.exp(3);
        double[] p2 = {e3 / (e3 + 2), 1 / (e3 + 2), 1 / (e3 + 2)};
        assertEquals(-(Math.log(p1[1]) + Math.log(p2[0])) / 2,
                network.crossEntropy(pass, new int[] {1, 0}).loss(), 1e-12);
        double meanEntropy = (entropy(p1) + entropy(p2)) / 2;
        double[] mean = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = (p1[c] + p2[c]) / 2;
        }
        assertEquals(meanEntropy - entropy(mean), network.tcm(pass).loss(), 1e-12);
        // covariances of z: source {1, 3} has variance 2, target {2, 2, 5} has variance 3; (2 - 3)^2 / 4
        DaObjectives.Pass target = network.forward(new float[] {2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0}, 3);
        assertEquals(0.25, network.coral(pass, target).loss(), 1e-12);
    }

    private static double entropy(double[] p) {
        double h = 0;
        for (double v : p) {
            h -= v * Math.log(v);
        }
        return h;
    }

    @Test
    public void theSameSeedGivesIdenticalWeights() {
        for (DirectionRule rule : DirectionRule.values()) {
            ParetoDaModel first = train(trainer(rule, 7));
            assertEquals(first, train(trainer(rule, 7)), rule.name());
            assertNotEquals(first, train(trainer(rule, 8)), rule.name());
        }
    }

    @Test
    public void theObjectiveWeightsFollowTheRule() {
        assertArrayEquals(new double[] {1, 0.5, 0.25}, train(trainer(DirectionRule.FIXED, 1)).meanObjectiveWeights(),
                0);
        for (DirectionRule rule : new DirectionRule[] {DirectionRule.GUIDED, DirectionRule.MIN_NORM}) {
            double[] w = train(trainer(rule, 1)).meanObjectiveWeights();
            assertEquals(3, Arrays.stream(w).sum(), 1e-9, rule.name());
            for (double v : w) {
                assertTrue(v >= 0, rule.name() + " gave " + Arrays.toString(w));
            }
        }
    }

    @Test
    public void theModelRoundTripsThroughItsBytes() {
        ParetoDaModel model = train(trainer(DirectionRule.GUIDED, 3));
        ParetoDaModel read = ParetoDaModel.deserialize(model.serialize());
        assertEquals(model, read);
        float[] x = blobs(new int[5], true, 9);
        assertArrayEquals(model.probabilities(x, 5), read.probabilities(x, 5), 0);
        double[] p = model.probabilities(x, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(1, p[3 * i] + p[3 * i + 1] + p[3 * i + 2], 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> ParetoDaModel.deserialize(new byte[] {1, 2, 3}));
    }

    @Test
    public void theProvenanceRecordsEverySetting() {
        ParetoDaTrainer trainer = trainer(DirectionRule.MIN_NORM, 5);
        Set<String> settings = trainer.getProvenance().getConfiguredParameters().keySet();
        assertTrue(settings.containsAll(Set.of("rule", "fixedWeights", "bottleneckWidth", "steps", "batchSize",
                "learningRate", "l2", "validationFraction", "seed")), settings.toString());
        assertEquals("MIN_NORM", trainer.getProvenance().getConfiguredParameters().get("rule").toString());
        assertEquals(trainer.getProvenance(), train(trainer).provenance());
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testProvenanceMarshalling(trainer.getProvenance());
        assertEquals(trainer.toString(),
                ConfiguredObjects.instantiate(trainer.getProvenance(), ParetoDaTrainer.class).toString());
    }

    @Test
    public void impossibleSettingsNameTheField() {
        assertTrue(assertThrows(PropertyException.class, () -> new ParetoDaTrainer(DirectionRule.FIXED,
                new double[] {1, 1}, 4, 1, 8, 0.1, 0, 0.1, 1)).getMessage().contains("fixedWeights needs 3 values"));
        assertTrue(assertThrows(PropertyException.class, () -> new ParetoDaTrainer(DirectionRule.FIXED,
                new double[] {1, -1, 1}, 4, 1, 8, 0.1, 0, 0.1, 1)).getMessage().contains("finite and >= 0"));
        assertTrue(assertThrows(PropertyException.class, () -> new ParetoDaTrainer(DirectionRule.GUIDED,
                new double[] {1, 1, 1}, 4, 1, 1, 0.1, 0, 0.1, 1)).getMessage().contains("batches of at least 2"));
        assertTrue(assertThrows(PropertyException.class, () -> new ParetoDaTrainer(DirectionRule.GUIDED,
                new double[] {1, 1, 1}, 4, 1, 8, Double.NaN, 0, 0.1, 1)).getMessage().contains("learningRate"));
        assertTrue(assertThrows(PropertyException.class, () -> new ParetoDaTrainer(DirectionRule.GUIDED,
                new double[] {1, 1, 1}, 4, 1, 8, 0.1, 0, 1.0, 1)).getMessage().contains("validationFraction"));
    }

    @Test
    public void badDataIsRejectedWithItsReason() {
        ParetoDaTrainer trainer = trainer(DirectionRule.GUIDED, 1);
        int[] labels = new int[30];
        float[] source = blobs(labels, false, 1);
        float[] target = blobs(new int[20], true, 2);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> trainer.train(source, labels, new float[0], WIDTH, CLASSES)).getMessage()
                .contains("target features are empty"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> trainer.train(source, labels, Arrays.copyOf(target, target.length - 1), WIDTH, CLASSES))
                .getMessage().contains("source's feature space"));
        float[] nanTarget = target.clone();
        nanTarget[5] = Float.NaN;
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> trainer.train(source, labels, nanTarget, WIDTH, CLASSES)).getMessage()
                .contains("feature 1 of example 1 of the target features is NaN"));
        float[] infSource = source.clone();
        infSource[0] = Float.POSITIVE_INFINITY;
        assertThrows(IllegalArgumentException.class, () -> trainer.train(infSource, labels, target, WIDTH, CLASSES));
        int[] badLabels = labels.clone();
        badLabels[3] = CLASSES;
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> trainer.train(source, badLabels, target, WIDTH, CLASSES)).getMessage()
                .contains("source label 3 of example 3"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> trainer.train(source, labels, Arrays.copyOf(target, 3 * WIDTH), WIDTH, CLASSES)).getMessage()
                .contains("at least 2 target examples for training and 2 held out"));
        ParetoDaModel model = train(trainer);
        assertThrows(IllegalArgumentException.class, () -> model.probabilities(new float[WIDTH + 1], 1));
    }

    @Test
    public void trainsOnTheFixtureNetworksFeatures() {
        NetworkModel network = TtaFixtures.cnn();
        TensorDataset source = TensorDataset.from(TtaFixtures.train(), new FeatureTensorizer(
                network.getFeatureIDMap(), new Shape(network.getFeatureIDMap().size())), network.getOutputIDInfo());
        float[] shifted = TtaFixtures.shiftedInputs(40, "gaussian_noise", 3);
        TensorDataset target = new TensorDataset(shifted, new int[40], source.exampleShape());
        ParetoDaTrainer trainer = trainer(DirectionRule.GUIDED, 2);
        try (ModelOutputs outputs = ModelOutputs.of(network, "head")) {
            ParetoDaModel model = trainer.train(outputs, source, target);
            assertEquals(CLASSES, model.classes());
            assertEquals(16, model.width());
            float[] features = outputs.runInBatches(shifted, 40, 16).features();
            assertEquals(40 * CLASSES, model.probabilities(features, 40).length);
            assertThrows(IllegalArgumentException.class, () -> trainer.train(outputs, source,
                    new TensorDataset(new float[12], new int[] {0, 1}, new Shape(6))));
            assertThrows(IllegalArgumentException.class, () -> trainer.train(outputs, source,
                    new TensorDataset(new float[0], new int[0], source.exampleShape())));
        }
    }
}
