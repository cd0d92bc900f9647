package org.tribuoadapt.tta.method.labelshift;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.TestTimeMethods;
import org.tribuoadapt.tta.method.eata.Eata;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.scenario.DirichletSampler;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Label Shift Adapter (Park et al. 2023): the online label-distribution estimate, the adapter network and its
 * pre-training, and the session around Tent or EATA.
 */
public class LabelShiftAdapterTest {

    /**
     * A calibrated synthetic classifier: an observation {@code o} is drawn from {@code L[y]}, and its posterior under
     * the source priors is {@code p(c | o) proportional to pi_s(c) L[c][o]}, which label shift leaves valid.
     */
    private static final double[][] LIKELIHOOD = {{0.7, 0.2, 0.1}, {0.15, 0.7, 0.15}, {0.1, 0.2, 0.7}};

    private static float[] calibratedBatch(double[] truePriors, double[] sourcePriors, int n, SplittableRandom rng) {
        float[] out = new float[n * 3];
        for (int i = 0; i < n; i++) {
            int y = draw(truePriors, rng);
            int o = draw(LIKELIHOOD[y], rng);
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                sum += sourcePriors[c] * LIKELIHOOD[c][o];
            }
            for (int c = 0; c < 3; c++) {
                out[i * 3 + c] = (float) (sourcePriors[c] * LIKELIHOOD[c][o] / sum);
            }
        }
        return out;
    }

    private static int draw(double[] p, SplittableRandom rng) {
        double u = rng.nextDouble();
        double cumulative = 0;
        for (int c = 0; c < p.length; c++) {
            cumulative += p[c];
            if (u < cumulative) {
                return c;
            }
        }
        return p.length - 1;
    }

    @Test
    public void theOnlineEstimateConvergesToTheTruePrior() {
        double[] source = {1.0 / 3, 1.0 / 3, 1.0 / 3};
        double[] truth = {0.7, 0.25, 0.05};
        SplittableRandom rng = new SplittableRandom(TestSeeds.of(11));
        LabelDistributionEstimator estimator = new LabelDistributionEstimator(source, 0.95, 100, 1e-8);
        double before = maxError(estimator.estimate(), truth);
        for (int b = 0; b < 300; b++) {
            estimator.update(calibratedBatch(truth, source, 64, rng), 64);
        }
        double[] estimate = estimator.estimate();
        assertTrue(maxError(estimate, truth) < 0.04, Arrays.toString(estimate));
        assertTrue(before > 0.3);
        assertEquals(1.0, Arrays.stream(estimate).sum(), 1e-9);
    }

    private static double maxError(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    public void theEstimateIsAMovingAverageOfEachBatchsEmPriors() {
        double[] source = {0.5, 0.3, 0.2};
        float[] batch = calibratedBatch(new double[] {0.1, 0.1, 0.8}, source, 20, new SplittableRandom(3));
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(new double[] {batch[i * 3], batch[i * 3 + 1], batch[i * 3 + 2]});
        }
        double[] em = LabelShiftEM.estimatePriors(rows, source, 100, 1e-8);
        LabelDistributionEstimator estimator = new LabelDistributionEstimator(source, 0.75, 100, 1e-8);
        assertArrayEquals(source, estimator.estimate());
        estimator.update(batch, 20);
        for (int c = 0; c < 3; c++) {
            assertEquals(0.75 * source[c] + 0.25 * em[c], estimator.estimate()[c], 1e-6);
        }
        estimator.reset();
        assertArrayEquals(source, estimator.estimate());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> estimator.update(new float[] {0.5f, Float.NaN, 0.5f}, 1));
        assertTrue(nan.getMessage().contains("is not a probability"), nan.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> estimator.update(new float[] {0.5f, 0.5f}, 1));
        assertTrue(shape.getMessage().contains("expected 1 rows of 3 posteriors, found 2 values"), shape.getMessage());
    }

    /** Source logits of a noisy 4-class classifier: 2 on the true class plus Gaussian noise, 100 per class. */
    private static float[] syntheticLogits(int[] labels, SplittableRandom rng) {
        float[] logits = new float[labels.length * 4];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 4;
            for (int c = 0; c < 4; c++) {
                logits[i * 4 + c] = (float) ((c == labels[i] ? 2 : 0) + rng.nextGaussian());
            }
        }
        return logits;
    }

    @Test
    public void theAdapterGivesTheSourceClassifierAtTheSourceDistribution() {
        int[] labels = new int[400];
        float[] logits = syntheticLogits(labels, new SplittableRandom(1));
        double[] source = {0.25, 0.25, 0.25, 0.25};
        ShiftAdapterNetwork adapter = ShiftAdapterNetwork.train(logits, labels, source, 8, 100, 32, 1.0, 1e-2,
                new SplittableRandom(2));
        ShiftAdapterNetwork.Modulation identity = adapter.modulation(source, source);
        assertArrayEquals(new double[] {1, 1, 1, 1}, identity.scale());
        assertArrayEquals(new double[] {0, 0, 0, 0}, identity.shift());
        ShiftAdapterNetwork.Modulation shifted = adapter.modulation(new double[] {0.7, 0.1, 0.1, 0.1}, source);
        assertEquals(4, shifted.scale().length);
        assertEquals(4, shifted.shift().length);
        assertFalse(Arrays.equals(identity.shift(), shifted.shift()));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> adapter.modulation(new double[] {0.5, 0.5}, new double[] {0.5, 0.5}));
        assertTrue(wrong.getMessage().contains("the adapter has 4 classes but the label distribution 2"),
                wrong.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> adapter.modulation(new double[] {Double.NaN, 0.5, 0.25, 0.25}, source));
        assertTrue(nan.getMessage().contains("are not both probabilities"), nan.getMessage());
    }

    @Test
    public void theLossGradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        double[][] w1 = new double[3][4];
        double[][] w2 = new double[8][3];
        for (double[][] w : new double[][][] {w1, w2}) {
            for (double[] row : w) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = rng.nextGaussian() * 0.5;
                }
            }
        }
        int[] labels = new int[12];
        float[] logits = syntheticLogits(labels, rng);
        double[] v = ShiftAdapterNetwork.shiftOf(new double[] {0.6, 0.2, 0.15, 0.05},
                new double[] {0.25, 0.25, 0.25, 0.25});
        double[][] g1 = new double[3][4];
        double[][] g2 = new double[8][3];
        new ShiftAdapterNetwork(w1, w2).lossAndGradients(v, logits, labels, g1, g2);
        double h = 1e-6;
        for (int m = 0; m < 2; m++) {
            double[][] w = m == 0 ? w1 : w2;
            double[][] g = m == 0 ? g1 : g2;
            for (int i = 0; i < w.length; i++) {
                for (int j = 0; j < w[i].length; j++) {
                    double saved = w[i][j];
                    double[][] d1 = new double[3][4];
                    double[][] d2 = new double[8][3];
                    w[i][j] = saved + h;
                    double up = new ShiftAdapterNetwork(w1, w2).lossAndGradients(v, logits, labels, d1, d2);
                    w[i][j] = saved - h;
                    double down = new ShiftAdapterNetwork(w1, w2).lossAndGradients(v, logits, labels, d1, d2);
                    w[i][j] = saved;
                    assertEquals((up - down) / (2 * h), g[i][j], 1e-6, "W" + (m + 1) + "[" + i + "][" + j + "]");
                }
            }
        }
    }

    @Test
    public void preTrainingLowersTheLossUnderSimulatedLabelShifts() {
        SplittableRandom rng = new SplittableRandom(TestSeeds.of(21));
        int[] labels = new int[400];
        float[] logits = syntheticLogits(labels, rng);
        double[] source = {0.25, 0.25, 0.25, 0.25};
        ShiftAdapterNetwork trained = ShiftAdapterNetwork.train(logits, labels, source, 16, 1500, 64, 0.5, 1e-2,
                new SplittableRandom(TestSeeds.of(22)));
        ShiftAdapterNetwork untrained = new ShiftAdapterNetwork(new double[16][4], new double[8][16]);
        double trainedLoss = 0;
        double sourceLoss = 0;
        double[][] g1 = new double[16][4];
        double[][] g2 = new double[8][16];
        for (int b = 0; b < 100; b++) {
            double[] priors = DirichletSampler.sample(0.5, 4, rng);
            int[] batchLabels = new int[64];
            float[] batchLogits = new float[64 * 4];
            for (int i = 0; i < 64; i++) {
                int c = draw(priors, rng);
                int example = c + 4 * rng.nextInt(100);
                batchLabels[i] = c;
                System.arraycopy(logits, example * 4, batchLogits, i * 4, 4);
            }
            double[] v = ShiftAdapterNetwork.shiftOf(priors, source);
            trainedLoss += trained.lossAndGradients(v, batchLogits, batchLabels, g1, g2);
            sourceLoss += untrained.lossAndGradients(v, batchLogits, batchLabels, g1, g2);
        }
        assertTrue(trainedLoss < 0.9 * sourceLoss, trainedLoss / 100 + " vs source " + sourceLoss / 100);
    }

    private static AdaptationContext contextWithSource() {
        NetworkModel model = TtaFixtures.cnn();
        TensorDataset source = TensorDataset.from(TtaFixtures.train(), new FeatureTensorizer(model.getFeatureIDMap(),
                new ai.djl.ndarray.types.Shape(model.getFeatureIDMap().size())), model.getOutputIDInfo());
        return new AdaptationContext(16, 1000, source);
    }

    private static LabelShiftAdapter adapterAround(NormAffineMethod covariate) {
        return new LabelShiftAdapter(covariate, 8, 200, 32, 1.0, 1e-2, 0.5, 3L);
    }

    /** The names of the tensors that differ between two state dicts. */
    private static List<String> changed(Map<String, TensorData> before, Map<String, TensorData> after) {
        List<String> out = new ArrayList<>();
        for (String name : before.keySet()) {
            TensorData a = before.get(name);
            TensorData b = after.get(name);
            boolean same = a.dtype() == b.dtype() && (a.dtype().name().startsWith("I")
                    ? Arrays.equals(a.toLongArray(), b.toLongArray())
                    : Arrays.equals(a.toFloatArray(), b.toFloatArray()));
            if (!same) {
                out.add(name);
            }
        }
        return out;
    }

    @Test
    public void onlyTheCovariateMethodsParametersAdaptAndTheAdapterStaysFrozen() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        for (NormAffineMethod covariate : List.of(Tent.withDefaults(), Eata.withDefaults())) {
            try (LabelShiftAdapter.Session session = adapterAround(covariate).start(model, contextWithSource())) {
                double[][][] adapterBefore = session.adapter().weights();
                session.predict(x, 16);
                session.predict(x, 16);
                List<String> changed = changed(model.stateDict(), session.covariateSession().network().stateDict());
                assertFalse(changed.isEmpty(), covariate.toString());
                for (String name : changed) {
                    assertTrue(name.endsWith(".weight") || name.endsWith(".bias"), name);
                    assertTrue(name.startsWith("bn"), "a non-normalisation parameter changed: " + name);
                }
                assertTrue(Arrays.deepEquals(adapterBefore, session.adapter().weights()));
                assertFalse(Arrays.equals(session.sourcePriors(), session.estimatedPriors()));
                session.reset();
                assertArrayEquals(session.sourcePriors(), session.estimatedPriors());
                assertEquals(List.of(), changed(model.stateDict(), session.covariateSession().network().stateDict()));
            }
        }
    }

    @Test
    public void atTheSourceDistributionTheFirstBatchIsTheCovariateMethods() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        Tent tent = new Tent(new AdamOptimiserFactory(1e-3), 1, new ArrayList<>(), false);
        try (LabelShiftAdapter.Session adapted = adapterAround(tent).start(model, contextWithSource());
             AdaptationSession plain = tent.start(model, contextWithSource())) {
            assertArrayEquals(plain.predict(x, 16), adapted.predict(x, 16));
            double sum = 0;
            for (double p : adapted.sourcePriors()) {
                sum += p;
            }
            assertEquals(1.0, sum, 1e-9);
        }
    }

    @Test
    public void configurationProvenanceAndRegistry() {
        LabelShiftAdapter method = adapterAround(Eata.withDefaults());
        Helpers.testConfigurableRoundtrip(method);
        Helpers.testProvenanceMarshalling(method.getProvenance());
        String provenance = ProvenanceUtil.formattedProvenanceString(method.getProvenance());
        assertTrue(provenance.contains("covariateMethod"), provenance);
        assertTrue(provenance.contains("Eata"), provenance);
        assertTrue(provenance.contains("pretrainConcentration = 1.0"), provenance);
        assertTrue(TestTimeMethods.names().contains(LabelShiftAdapter.NAME));
        LabelShiftAdapter byName = (LabelShiftAdapter) TestTimeMethods.create(LabelShiftAdapter.NAME);
        assertTrue(byName.covariateMethod() instanceof Tent);
    }

    @Test
    public void badSettingsAndMissingSourceDataAreNamed() {
        NetworkModel model = TtaFixtures.cnn();
        IllegalArgumentException noSource = assertThrows(IllegalArgumentException.class,
                () -> LabelShiftAdapter.withDefaults().start(model, new AdaptationContext(16, 100, null)));
        assertTrue(noSource.getMessage().contains("pre-trains its adapter on labelled source samples"),
                noSource.getMessage());
        PropertyException momentum = assertThrows(PropertyException.class,
                () -> new LabelShiftAdapter(Tent.withDefaults(), 8, 10, 8, 1.0, 1e-3, 1.0, 1L));
        assertTrue(momentum.getMessage().contains("estimateMomentum must be in [0, 1), found 1.0"),
                momentum.getMessage());
        PropertyException hidden = assertThrows(PropertyException.class,
                () -> new LabelShiftAdapter(Tent.withDefaults(), 0, 10, 8, 1.0, 1e-3, 0.9, 1L));
        assertTrue(hidden.getMessage().contains("must be at least 1"), hidden.getMessage());
        PropertyException alpha = assertThrows(PropertyException.class,
                () -> new LabelShiftAdapter(Tent.withDefaults(), 8, 10, 8, Double.NaN, 1e-3, 0.9, 1L));
        assertTrue(alpha.getMessage().contains("pretrainConcentration must be finite and positive"),
                alpha.getMessage());
        PropertyException none = assertThrows(PropertyException.class,
                () -> new LabelShiftAdapter(null, 8, 10, 8, 1.0, 1e-3, 0.9, 1L));
        assertTrue(none.getMessage().contains("needs a covariate-shift method"), none.getMessage());
        IllegalArgumentException missingClass = assertThrows(IllegalArgumentException.class,
                () -> ShiftAdapterNetwork.train(new float[] {1, 0, 0, 1}, new int[] {0, 0}, new double[] {0.5, 0.5},
                        4, 1, 2, 1.0, 1e-3, new SplittableRandom(1)));
        assertTrue(missingClass.getMessage().contains("hold no example of class 1"), missingClass.getMessage());
    }
}
