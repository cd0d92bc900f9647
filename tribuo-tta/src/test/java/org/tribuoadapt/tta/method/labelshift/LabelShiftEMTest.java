package org.tribuoadapt.tta.method.labelshift;

import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Label-shift EM's prior estimate and re-weighting (Saerens et al. 2002).
 */
public class LabelShiftEMTest {

    @Test
    public void labelShiftEmFollowsSaerens() {
        // one-hot posteriors: the priors converge to the class frequencies in one step
        List<double[]> oneHot = List.of(new double[] {1, 0}, new double[] {1, 0}, new double[] {0, 1});
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3},
                LabelShiftEM.estimatePriors(oneHot, new double[] {0.5, 0.5}, 100, 1e-9), 1e-12);
        // q(c) proportional to (pi(c) / pi_s(c)) p(c)
        assertArrayEquals(new double[] {0.75, 0.25},
                LabelShiftEM.reweight(new double[] {0.5, 0.5}, new double[] {0.6, 0.2}, new double[] {0.5, 0.5}),
                1e-12);
        // 80 posteriors (0.9, 0.1) and 20 posteriors (0.1, 0.9) under uniform source priors: the likelihood is
        // maximal where 1 = 0.72 / (0.8 a + 0.1) + 0.02 / (0.9 - 0.8 a), i.e. at a = 0.875
        List<double[]> soft = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            soft.add(new double[] {0.9, 0.1});
        }
        for (int i = 0; i < 20; i++) {
            soft.add(new double[] {0.1, 0.9});
        }
        double[] priors = LabelShiftEM.estimatePriors(soft, new double[] {0.5, 0.5}, 1000, 1e-10);
        assertEquals(0.875, priors[0], 1e-6);
        // source priors come from the training label counts
        MutableDataset<Label> skewed = new MutableDataset<>(SyntheticImages.dataset(10, 2, 4, 1).getProvenance(),
                new org.tribuo.classification.LabelFactory());
        for (org.tribuo.Example<Label> e : SyntheticImages.examples(40, 2, 4, 1)) {
            if (e.getOutput().getLabel().equals("c0") || skewed.size() % 4 == 0) {
                skewed.add(e);
            }
        }
        Model<Label> linear = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1), 1, 1L).train(skewed);
        double[] source = LabelShiftEM.sourcePriors(linear);
        int c0 = linear.getOutputIDInfo().getID(new Label("c0"));
        assertTrue(source[c0] > 0.7, "c0 prior " + source[c0]);
    }

    /** Model posteriors softmax(z) and labels drawn from softmax(z * scale + biases), with z ~ N(0, 2^2). */
    private static double[][] miscalibrated(int n, double scale, double[] biases, int[] labels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int classes = biases.length;
        double[][] posteriors = new double[n][];
        for (int k = 0; k < n; k++) {
            double[] z = new double[classes];
            double[] truth = new double[classes];
            for (int c = 0; c < classes; c++) {
                z[c] = 2 * gaussian(rng);
                truth[c] = z[c] * scale + biases[c];
            }
            posteriors[k] = softmax(z);
            double[] q = softmax(truth);
            double u = rng.nextDouble();
            int y = 0;
            for (double cumulative = q[0]; u > cumulative && y < classes - 1; cumulative += q[++y]) {
                // walk the cumulative distribution
            }
            labels[k] = y;
        }
        return posteriors;
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static double[] softmax(double[] z) {
        double max = Arrays.stream(z).max().orElseThrow();
        double[] e = Arrays.stream(z).map(v -> Math.exp(v - max)).toArray();
        double sum = Arrays.stream(e).sum();
        return Arrays.stream(e).map(v -> v / sum).toArray();
    }

    @Test
    public void biasCorrectedTemperatureScalingRecoversTheTrueCalibration() {
        double[] biases = {0.4, -0.1, -0.3};
        int[] labels = new int[20000];
        double[][] posteriors = miscalibrated(labels.length, 0.5, biases, labels, 7L);
        BiasCorrectedTemperatureScaling fitted = BiasCorrectedTemperatureScaling.fit(posteriors, labels);
        assertEquals(0.5, fitted.inverseTemperature(), 0.05);
        assertArrayEquals(biases, fitted.biases(), 0.1);
        // an already calibrated model is left (nearly) as it is
        double[][] calibrated = miscalibrated(labels.length, 1.0, new double[3], labels, 8L);
        BiasCorrectedTemperatureScaling identity = BiasCorrectedTemperatureScaling.fit(calibrated, labels);
        assertEquals(1.0, identity.inverseTemperature(), 0.05);
        assertArrayEquals(new double[3], identity.biases(), 0.1);
        assertThrows(IllegalArgumentException.class, () -> BiasCorrectedTemperatureScaling.fit(new double[0][], new int[0]));
    }

    @Test
    public void sourcePriorsFromHeldOutPosteriorsMeanNoShiftOnIidData() {
        int[] labels = new int[500];
        double[][] posteriors = miscalibrated(labels.length, 1.0, new double[] {1.0, 0.0, -1.0}, labels, 9L);
        double[] sourcePriors = LabelShiftEM.meanPosterior(posteriors);
        // the stream's posteriors are the source's: EM starts at its fixed point and estimates no shift
        assertArrayEquals(sourcePriors, LabelShiftEM.estimatePriors(Arrays.asList(posteriors), sourcePriors, 100, 1e-9),
                1e-9);
    }

    @Test
    public void calibratesOnTheSourceSamplesWhenOffered() {
        NetworkModel model = TtaFixtures.cnn();
        TensorDataset source = TensorDataset.from(TtaFixtures.test(120), model.tensorizer(), model.getOutputIDInfo());
        AdaptationContext context = new AdaptationContext(16, 1000, source);
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 1);
        float[] calibrated;
        float[] plain;
        try (AdaptationSession session = new LabelShiftEM(64, 100, 1e-6, true).start(model, context)) {
            calibrated = session.predict(x, 16);
        }
        try (AdaptationSession session = new LabelShiftEM(64, 100, 1e-6, false).start(model, context)) {
            plain = session.predict(x, 16);
        }
        int classes = model.getOutputIDInfo().size();
        for (float[] out : List.of(calibrated, plain)) {
            for (int i = 0; i < 16; i++) {
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += out[i * classes + c];
                }
                assertEquals(1.0, sum, 1e-4);
            }
        }
        assertFalse(Arrays.equals(calibrated, plain), "calibration changed nothing");
    }
}
