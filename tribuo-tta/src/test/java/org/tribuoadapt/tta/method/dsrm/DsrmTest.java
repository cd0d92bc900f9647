package org.tribuoadapt.tta.method.dsrm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.tta.corruption.Corruption;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DSRM's steering rule on hand-made head outputs, head training on a tiny multi-domain dataset, the heads'
 * provenance, bad settings, and a session on the fixture CNN.
 */
public class DsrmTest {

    private static final float[] CONFIDENT = {1f, 0f, 0.9f, 0.1f};
    private static final float[] UNSURE = {0.5f, 0.5f, 0.6f, 0.4f};

    private static double entropy(double... p) {
        double h = 0;
        for (double v : p) {
            h -= v > 0 ? v * Math.log(v) : 0;
        }
        return h;
    }

    @Test
    public void theEstimatedRiskIsTheMeanPredictionEntropyOfEachHead() {
        double[] risks = HeadSteering.estimatedRisks(new float[][] {UNSURE, CONFIDENT}, 2, 2);
        assertEquals((entropy(0.5, 0.5) + entropy(0.6, 0.4)) / 2, risks[0], 1e-6);
        assertEquals((entropy(1, 0) + entropy(0.9, 0.1)) / 2, risks[1], 1e-6);
    }

    @Test
    public void selectPicksTheLowestEntropyHead() {
        float[][] heads = {UNSURE, CONFIDENT, UNSURE};
        double[] weights = HeadSteering.weights(HeadSteering.estimatedRisks(heads, 2, 2), SteeringRule.SELECT, 1.0);
        assertArrayEquals(new double[] {0, 1, 0}, weights);
        assertArrayEquals(CONFIDENT, HeadSteering.mix(heads, weights));
        // among equal risks the first head is chosen
        assertArrayEquals(new double[] {1, 0}, HeadSteering.weights(new double[] {0.3, 0.3}, SteeringRule.SELECT, 1));
    }

    @Test
    public void mixWeightsAreTheSoftmaxOfNegativeRisksOverTheTemperature() {
        double[] risks = {0.2, 0.5, 0.9};
        double t = 0.5;
        double z = Math.exp(-0.2 / t) + Math.exp(-0.5 / t) + Math.exp(-0.9 / t);
        double[] expected = {Math.exp(-0.2 / t) / z, Math.exp(-0.5 / t) / z, Math.exp(-0.9 / t) / z};
        assertArrayEquals(expected, HeadSteering.weights(risks, SteeringRule.MIX, t), 1e-12);
        // a huge temperature averages the heads, a tiny one selects
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, HeadSteering.weights(risks, SteeringRule.MIX,
                1e12), 1e-9);
        assertArrayEquals(new double[] {1, 0, 0}, HeadSteering.weights(risks, SteeringRule.MIX, 1e-6), 1e-12);
        float[] mixed = HeadSteering.mix(new float[][] {UNSURE, CONFIDENT}, new double[] {0.25, 0.75});
        assertArrayEquals(new float[] {0.875f, 0.125f, 0.825f, 0.175f}, mixed, 1e-6f);
    }

    @Test
    public void badSteeringInputsSayWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeadSteering.weights(new double[] {0.1}, SteeringRule.MIX, 0));
        assertEquals("the temperature must be positive and finite, found 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HeadSteering.weights(new double[] {0.1, Double.NaN}, SteeringRule.MIX, 1));
        assertEquals("the estimated risk of head 1 is NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HeadSteering.estimatedRisks(new float[][] {CONFIDENT, {1f, 0f}}, 2, 2));
        assertEquals("head 1 gave 2 probabilities for 2 examples of 2 classes", e.getMessage());
    }

    /** Two well separated clusters at x = -2 and x = +2 (with a second, constant feature). */
    private static SourceDomain clusters(String name, boolean flipped) {
        int n = 20;
        float[] features = new float[n * 2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int side = i % 2;
            features[2 * i] = (side == 0 ? -2f : 2f) + 0.05f * (i / 2);
            features[2 * i + 1] = 1f;
            labels[i] = flipped ? 1 - side : side;
        }
        return new SourceDomain(name, features, labels, 2);
    }

    private static int[] argMax(float[] p, int n, int classes) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            for (int c = 1; c < classes; c++) {
                if (p[i * classes + c] > p[i * classes + out[i]]) {
                    out[i] = c;
                }
            }
        }
        return out;
    }

    @Test
    public void eachHeadIsTrainedOnItsOwnDomain() {
        SourceDomain plain = clusters("plain", false);
        SourceDomain flipped = clusters("flipped", true);
        SourceDomain again = clusters("again", false);
        DomainHeads heads = DsrmTrainer.withDefaults().fit(List.of(plain, flipped, again), 2);
        assertEquals(List.of("plain", "flipped", "again"), heads.domains());
        assertEquals(3, heads.size());
        assertEquals(2, heads.width());
        assertEquals(2, heads.classes());
        // each head fits its domain's labelling, which the flipped domain reverses
        assertArrayEquals(plain.labels(), argMax(heads.probabilities(0, plain.features(), 20), 20, 2));
        assertArrayEquals(flipped.labels(), argMax(heads.probabilities(1, plain.features(), 20), 20, 2));
        // the same data give the same head, deterministically
        assertArrayEquals(heads.probabilities(0, plain.features(), 20), heads.probabilities(2, plain.features(), 20));
        assertArrayEquals(heads.probabilities(1, plain.features(), 20),
                DsrmTrainer.withDefaults().fit(List.of(plain, flipped), 2).probabilities(1, plain.features(), 20));
    }

    @Test
    public void theHeadsRecordTheirTrainersProvenance() {
        DsrmTrainer trainer = new DsrmTrainer(List.of("fog", "contrast"), 4, false, 8, 8, 42L, 50, 0.01);
        DomainHeads heads = trainer.fit(List.of(clusters("a", false), clusters("b", true)), 2);
        assertEquals(trainer.getProvenance(), heads.provenance());
        assertEquals("4", heads.provenance().getConfiguredParameters().get("severity").toString());
        assertEquals("42", heads.provenance().getConfiguredParameters().get("seed").toString());
        assertTrue(heads.provenance().getConfiguredParameters().get("corruptions").toString().contains("fog"));
        assertTrue(Dsrm.withDefaults().getProvenance().getConfiguredParameters().containsKey("trainer"));
        assertEquals("MIX", Dsrm.withDefaults().getProvenance().getConfiguredParameters().get("rule").toString());
    }

    @Test
    public void badSettingsSayWhatIsWrong() {
        PropertyException p = assertThrows(PropertyException.class,
                () -> new DsrmTrainer(List.of("fog"), 3, false, 8, 8, 1L, 10, 0));
        assertTrue(p.getMessage().contains("DSRM needs at least 2 source domains, but 1 corruptions make 1"),
                p.getMessage());
        p = assertThrows(PropertyException.class, () -> new DsrmTrainer(List.of("fog", "fog"), 3, true, 8, 8, 1L,
                10, 0));
        assertTrue(p.getMessage().contains("corruption 'fog' is listed twice"), p.getMessage());
        p = assertThrows(PropertyException.class, () -> new DsrmTrainer(List.of("rain"), 3, true, 8, 8, 1L, 10, 0));
        assertTrue(p.getMessage().contains("unknown corruption 'rain'"), p.getMessage());
        assertThrows(PropertyException.class, () -> new DsrmTrainer(List.of("fog"), 6, true, 8, 8, 1L, 10, 0));
        assertThrows(PropertyException.class, () -> new DsrmTrainer(List.of("fog"), 3, true, 8, 8, 1L, 0, 0));
        assertThrows(PropertyException.class, () -> new DsrmTrainer(List.of("fog"), 3, true, 8, 8, 1L, 10, -1));
        assertThrows(PropertyException.class, () -> new Dsrm(DsrmTrainer.withDefaults(), "head", SteeringRule.MIX,
                0));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DsrmTrainer.withDefaults().fit(List.of(clusters("a", false)), 2));
        assertEquals("DSRM needs at least 2 source domains, found 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SourceDomain("empty", new float[0], new int[0], 2));
        assertEquals("source domain 'empty' has no example", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SourceDomain("nan", new float[] {0f, Float.NaN}, new int[] {0}, 2));
        assertEquals("value 1 of example 0 of source domain 'nan' is NaN", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DsrmTrainer.withDefaults().fit(
                List.of(clusters("a", false), new SourceDomain("b", new float[3], new int[] {0}, 3)), 2));
        assertEquals("source domain 'b' has 3 features, but 'a' has 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DsrmTrainer.withDefaults().fit(
                List.of(clusters("a", false), clusters("a", true)), 2));
        assertEquals("source domain 'a' is given twice", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Dsrm.withDefaults().start(TtaFixtures.cnn(), new AdaptationContext(16, 100, null)));
        assertEquals("DSRM needs labelled source samples to train its domain-specific heads (Zhang et al. 2023); "
                + "give the evaluator source data", e.getMessage());
        Dsrm fashion = new Dsrm(new DsrmTrainer(List.of("fog"), 3, true, 28, 28, 1L, 10, 0), "head",
                SteeringRule.MIX, 0.1);
        e = assertThrows(IllegalArgumentException.class,
                () -> fashion.start(TtaFixtures.cnn(), new AdaptationContext(16, 100, source())));
        assertEquals("the source samples have 64 values each, not 28x28 = 784 pixels", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DsrmTrainer.withDefaults().sourceDomains(
                new TensorDataset(new float[12], new int[] {0, 1}, new Shape(6))));
        assertEquals("the source samples have 6 values each, which is no square image; set imageHeight and "
                + "imageWidth", e.getMessage());
        p = assertThrows(PropertyException.class, () -> new DsrmTrainer(List.of("fog"), 3, true, 8, 0, 1L, 10, 0));
        assertTrue(p.getMessage().contains("the image size must be positive, or 0x0 for square images, found 8x0"),
                p.getMessage());
    }

    private static TensorDataset source() {
        NetworkModel model = TtaFixtures.cnn();
        return TensorDataset.from(TtaFixtures.train(), new FeatureTensorizer(model.getFeatureIDMap(),
                new Shape(model.getFeatureIDMap().size())), model.getOutputIDInfo());
    }

    private static DsrmTrainer fixtureTrainer(long seed) {
        return new DsrmTrainer(List.of("brightness", "impulse_noise"), 3, true, TtaFixtures.SIZE, TtaFixtures.SIZE,
                seed, 100, 1e-4);
    }

    @Test
    public void sourceDomainsAreTheCleanSamplesAndTheirSeededCorruptions() {
        TensorDataset source = source();
        List<SourceDomain> domains = fixtureTrainer(3L).sourceDomains(source);
        assertEquals(List.of("clean", "brightness-3", "impulse_noise-3"), domains.stream().map(SourceDomain::name)
                .toList());
        float[] clean;
        try (NDManager manager = DjlRuntime.newManager()) {
            clean = source.features(manager, Evaluation.range(0, source.size())).toFloatArray();
        }
        assertArrayEquals(clean, domains.get(0).features());
        int width = TtaFixtures.SIZE * TtaFixtures.SIZE;
        float[] first = new float[width];
        System.arraycopy(clean, 5 * width, first, 0, width);
        float[] expected = Corruption.IMPULSE_NOISE.apply(first, TtaFixtures.SIZE, TtaFixtures.SIZE, 3,
                Corruption.IMPULSE_NOISE.exampleSeed(3L, 3, 5));
        float[] actual = new float[width];
        System.arraycopy(domains.get(2).features(), 5 * width, actual, 0, width);
        assertArrayEquals(expected, actual);
        assertArrayEquals(source.labels(), domains.get(2).labels());
        // 0x0 reads the 64 values as a square 8x8 image
        List<SourceDomain> square = new DsrmTrainer(List.of("brightness", "impulse_noise"), 3, true, 0, 0, 3L, 100,
                1e-4).sourceDomains(source);
        assertArrayEquals(domains.get(2).features(), square.get(2).features());
    }

    @Test
    public void aSessionSteersOneHeadPerSourceDomain() {
        NetworkModel model = TtaFixtures.cnn();
        float[] inputs = TtaFixtures.shiftedInputs(16, "fog", 4);
        float[] first;
        Dsrm dsrm = new Dsrm(fixtureTrainer(1L), "head", SteeringRule.MIX, 0.1);
        try (Dsrm.Session session = dsrm.start(model, new AdaptationContext(16, 16, source()))) {
            assertEquals(List.of("clean", "brightness-3", "impulse_noise-3"), session.heads().domains());
            assertEquals(16, session.heads().width());
            first = session.predict(inputs, 16);
            assertEquals(16 * TtaFixtures.CLASSES, first.length);
            for (int i = 0; i < 16; i++) {
                double sum = 0;
                for (int c = 0; c < TtaFixtures.CLASSES; c++) {
                    sum += first[i * TtaFixtures.CLASSES + c];
                }
                assertEquals(1, sum, 1e-5);
            }
            // the prediction is the steered mixture of the heads on the source network's features
            float[] features;
            try (ModelOutputs outputs = ModelOutputs.of(model, "head")) {
                features = outputs.run(inputs, 16, true).features();
            }
            float[][] heads = new float[3][];
            for (int k = 0; k < 3; k++) {
                heads[k] = session.heads().probabilities(k, features, 16);
            }
            double[] weights = HeadSteering.weights(HeadSteering.estimatedRisks(heads, 16, TtaFixtures.CLASSES),
                    SteeringRule.MIX, 0.1);
            assertArrayEquals(HeadSteering.mix(heads, weights), first, 1e-6f);
            session.reset();
            assertArrayEquals(first, session.predict(inputs, 16));
        }
        try (Dsrm.Session again = dsrm.start(model, new AdaptationContext(16, 16, source()))) {
            assertArrayEquals(first, again.predict(inputs, 16));
        }
    }
}
