package org.tribuoadapt.tta.method.cafa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.evaluation.TtaResults;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.ModelOutputs;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CAFA's source statistics, its loss against hand-computed values, its source requirement and its effect on a
 * corrupted stream.
 */
public class CafaTest {

    /**
     * Two classes in three features: class 0 at (0, 0, 0) and class 1 at (2, 0, 0), each with the four points at
     * distance 1 along the first two axes, and a third feature that is always 0.
     */
    private static final float[] SOURCE = {
        1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0,
        3, 0, 0, 1, 0, 0, 2, 1, 0, 2, -1, 0};
    private static final int[] SOURCE_LABELS = {0, 0, 0, 0, 1, 1, 1, 1};

    @Test
    public void statisticsOfAKnownSourceSet() {
        ClassGaussians g = ClassGaussians.fit(SOURCE, SOURCE_LABELS, 3, 2);
        assertArrayEquals(new double[] {0, 0, 0}, g.mean(0), 1e-12);
        assertArrayEquals(new double[] {2, 0, 0}, g.mean(1), 1e-12);
        // pooled within-class scatter over 8 samples: 4 unit deviations per axis, so 4/8 = 0.5 on each varying axis
        assertArrayEquals(new double[] {0.5, 0, 0, 0, 0.5, 0, 0, 0, 0}, g.covariance(), 1e-12);
        // the constant third feature gets no weight
        assertArrayEquals(new double[] {2, 0, 0, 0, 2, 0, 0, 0, 0}, g.precision(), 1e-12);
    }

    @Test
    public void correlatedCovarianceIsInverted() {
        // class 0 only, deviations (1, 1), (-1, -1), (1, 0), (-1, 0): Sigma = [[1, 0.5], [0.5, 0.5]]
        float[] features = {1, 1, -1, -1, 1, 0, -1, 0};
        ClassGaussians g = ClassGaussians.fit(features, new int[] {0, 0, 0, 0}, 2, 1);
        assertArrayEquals(new double[] {1, 0.5, 0.5, 0.5}, g.covariance(), 1e-12);
        // inverse = 1 / det * [[0.5, -0.5], [-0.5, 1]] with det = 0.25
        assertArrayEquals(new double[] {2, -2, -2, 4}, g.precision(), 1e-12);
    }

    @Test
    public void lossMatchesAHandComputedValue() {
        ClassGaussians g = ClassGaussians.fit(SOURCE, SOURCE_LABELS, 3, 2);
        try (NDManager manager = DjlRuntime.newManager()) {
            // f1 = (1, 0, 5): D = 2 * 1 = 2 to both classes (the third feature is ignored); predicted 0
            // f2 = (3, 1, 0): D_0 = 2 * (9 + 1) = 20, D_1 = 2 * (1 + 1) = 4; predicted 1
            NDArray features = manager.create(new float[] {1, 0, 5, 3, 1, 0}, new Shape(2, 3));
            NDArray distances = g.distances(manager, features);
            assertArrayEquals(new float[] {2, 2, 20, 4}, distances.toFloatArray(), 1e-5f);
            NDArray labels = manager.create(new long[] {0, 1});
            double expected = (Math.log(2.0 / 4) + Math.log(4.0 / 24)) / 2;
            assertEquals(expected, Cafa.alignmentLoss(distances, labels).getFloat(), 1e-6);
            // with the other pseudo-label for f2 the ratio is 20 / 24
            double other = (Math.log(2.0 / 4) + Math.log(20.0 / 24)) / 2;
            assertEquals(other, Cafa.alignmentLoss(distances, manager.create(new long[] {0, 0})).getFloat(), 1e-6);
        }
    }

    @Test
    public void badSourceStatisticsSayWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassGaussians.fit(SOURCE, SOURCE_LABELS, 3, 3));
        assertEquals("class 2 has no source sample; CAFA needs the source distribution of every class", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassGaussians.fit(new float[] {1, 1, -1, -1, 5, 5}, new int[] {0, 0, 1}, 2, 2));
        assertEquals("the shared covariance of 2 varying features is singular with 3 source samples of 2 classes; "
                + "CAFA needs at least 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassGaussians.fit(new float[] {1, 0, 0, 1}, new int[] {0, 1}, 2, 2));
        assertEquals("no feature varies within the classes of the 2 source samples; CAFA cannot measure Mahalanobis "
                + "distances", e.getMessage());
        float[] nan = SOURCE.clone();
        nan[4] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> ClassGaussians.fit(nan, SOURCE_LABELS, 3, 2));
        assertEquals("feature 1 of source sample 1 is NaN", e.getMessage());
        try (NDManager manager = DjlRuntime.newManager()) {
            ClassGaussians g = ClassGaussians.fit(SOURCE, SOURCE_LABELS, 3, 2);
            e = assertThrows(IllegalArgumentException.class, () -> g.distances(manager, manager.zeros(new Shape(2, 4))));
            assertEquals("the source statistics are of 3 features, but the features have shape (2, 4)", e.getMessage());
        }
    }

    private static TensorDataset source(NetworkModel model) {
        return TensorDataset.from(TtaFixtures.train(), new FeatureTensorizer(model.getFeatureIDMap(),
                new Shape(model.getFeatureIDMap().size())), model.getOutputIDInfo());
    }

    @Test
    public void sessionFitsTheSourceNetworksFeaturesOfTheLabelledSourceSamples() {
        NetworkModel model = TtaFixtures.cnn();
        TensorDataset source = source(model);
        float[] features;
        int width;
        try (ModelOutputs outputs = ModelOutputs.of(model, "head"); NDManager manager = DjlRuntime.newManager()) {
            float[] inputs = source.features(manager, Evaluation.range(0, source.size()))
                    .toFloatArray();
            ModelOutputs.Outputs out = outputs.run(inputs, source.size(), true);
            features = out.features();
            width = out.featureWidth();
        }
        ClassGaussians expected = ClassGaussians.fit(features, source.labels(), width, TtaFixtures.CLASSES);
        try (Cafa.Session session = Cafa.withDefaults().start(model, new AdaptationContext(16, 100, source))) {
            assertEquals(16, session.gaussians().width());
            assertArrayEquals(expected.mean(1), session.gaussians().mean(1), 1e-9);
            assertArrayEquals(expected.precision(), session.gaussians().precision(), 1e-9);
        }
    }

    @Test
    public void withoutSourceSamplesItSaysWhatItNeeds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cafa.withDefaults().start(TtaFixtures.cnn(), new AdaptationContext(16, 100, null)));
        assertEquals("CAFA needs labelled source samples for its class-conditional source statistics "
                + "(Jung et al. 2023); give the evaluator source data", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Cafa(Cafa.withDefaults().optimiser(), "fc9",
                List.of(), false).start(TtaFixtures.cnn(), new AdaptationContext(16, 100, source(TtaFixtures.cnn()))));
        assertTrue(e.getMessage().startsWith("layer 'fc9' not found"), e.getMessage());
    }

    @Test
    public void improvesOnSourceOnACorruptedStream() {
        NetworkModel model = TtaFixtures.cnn();
        CorruptionScenario scenario = new CorruptionScenario(List.of("contrast", "fog"), List.of(5), TtaFixtures.SIZE,
                TtaFixtures.SIZE, StreamMode.CONTINUAL, 16, 0.0, 0, TestSeeds.of(11));
        TtaResults results = new TtaEvaluator(scenario, 0, 200).evaluate(model, TtaFixtures.test(96),
                TtaFixtures.train(), List.of(Cafa.withDefaults()));
        double source = results.evaluation(SourceOnly.NAME).accuracy();
        double cafa = results.evaluation(Cafa.NAME).accuracy();
        assertTrue(cafa > source, "CAFA " + cafa + " vs Source " + source);
    }
}
