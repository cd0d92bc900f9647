package org.tribuoadapt.tta.selection;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.provenance.ConfiguredObjects;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class SelectionScorersTest {

    /** Three source examples (2 classes, 1 feature) and two target examples. */
    private static SelectionInputs tiny() {
        return new SelectionInputs(1, 2,
                new float[] {0f, 1f, 2f}, new int[] {0, 1, 0},
                new float[] {0.5f, 0.5f, 0.25f, 0.75f, 0.9f, 0.1f},
                new float[] {3f, 4f},
                new float[] {1f, 0f, 0.5f, 0.5f});
    }

    /** A domain classifier that gives fixed target probabilities to the source examples. */
    private static DomainClassifier known(double... targetProbabilities) {
        return (source, target, width) -> targetProbabilities.clone();
    }

    @Test
    public void iwcvWeightsTheCrossEntropyByTheClassifiersDensityRatios() {
        // ratios (n_s / n_t) p / (1 - p) with n_s / n_t = 3 / 2: 1.5, 6 and 0.375
        double w1 = 1.5 * 0.5 / 0.5;
        double w2 = 1.5 * 0.8 / 0.2;
        double w3 = 1.5 * 0.2 / 0.8;
        assertEquals(6.0, w2, 1e-12);
        double l1 = Math.log(2);
        double l2 = -Math.log(0.75);
        double l3 = -Math.log(0.9f);
        double expected = -(w1 * l1 + w2 * l2 + w3 * l3) / (w1 + w2 + w3);
        double score = new ImportanceWeightedValidation(known(0.5, 0.8, 0.2)).score(tiny());
        assertEquals(expected, score, 1e-7);
    }

    @Test
    public void iwcvOnIdenticalDomainsIsMinusThePlainValidationLoss() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 40;
        int width = 5;
        int classes = 3;
        float[] features = new float[n * width];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rng.nextGaussian();
        }
        int[] labels = new int[n];
        float[] probabilities = new float[n * classes];
        double meanLoss = 0;
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
            float a = (float) rng.nextDouble(0.05, 1);
            float b = (float) rng.nextDouble(0.05, 1);
            float c = (float) rng.nextDouble(0.05, 1);
            float sum = a + b + c;
            probabilities[i * classes] = a / sum;
            probabilities[i * classes + 1] = b / sum;
            probabilities[i * classes + 2] = c / sum;
            meanLoss -= Math.log(probabilities[i * classes + labels[i]]) / n;
        }
        SelectionInputs inputs = new SelectionInputs(width, classes, features, labels, probabilities,
                features.clone(), probabilities.clone());
        double[] p = new LogisticDomainClassifier().targetProbabilityOfSource(features, features.clone(), width);
        for (double v : p) {
            assertEquals(0.5, v, 0.0);
        }
        assertEquals(-meanLoss, new ImportanceWeightedValidation().score(inputs), 1e-9);
        // DEV with equal weights has no control variate and is the same loss
        assertEquals(-meanLoss, new DeepEmbeddedValidation().score(inputs), 1e-9);
    }

    @Test
    public void logisticDomainClassifierFavoursTheTargetNearTheTarget() {
        // source around 0, target around 3 on one feature; the source example nearest the target is the most
        // target-like
        float[] source = {-1f, 0f, 1f, 2f};
        float[] target = {2f, 3f, 4f};
        double[] p = new LogisticDomainClassifier().targetProbabilityOfSource(source, target, 1);
        for (int i = 1; i < p.length; i++) {
            assertTrue(p[i] > p[i - 1], "P(target | x) must grow towards the target: " + Arrays.toString(p));
        }
        assertTrue(p[0] < 3.0 / 7, "the source example farthest from the target is below the target's share");
    }

    @Test
    public void devAppliesTheControlVariate() {
        double[] w = {1.5, 6, 0.375};
        double[] l = {Math.log(2), -Math.log(0.75), -Math.log(0.9f)};
        double[] weighted = {w[0] * l[0], w[1] * l[1], w[2] * l[2]};
        double meanL = (weighted[0] + weighted[1] + weighted[2]) / 3;
        double meanW = (w[0] + w[1] + w[2]) / 3;
        double cov = ((weighted[0] - meanL) * (w[0] - meanW) + (weighted[1] - meanL) * (w[1] - meanW)
                + (weighted[2] - meanL) * (w[2] - meanW)) / 2;
        double var = ((w[0] - meanW) * (w[0] - meanW) + (w[1] - meanW) * (w[1] - meanW)
                + (w[2] - meanW) * (w[2] - meanW)) / 2;
        double eta = -cov / var;
        double expected = -(meanL + eta * meanW - eta);
        assertEquals(expected, new DeepEmbeddedValidation(known(0.5, 0.8, 0.2)).score(tiny()), 1e-7);
    }

    @Test
    public void devRecoversAConstantLossWhateverTheWeights() {
        // L = c w, so Cov(L, w) = c Var(w), eta = -c and the estimate is c mean(w) - c mean(w) + c = c
        assertEquals(0.7, DeepEmbeddedValidation.risk(new double[] {0.2, 3, 1.1, 0.4},
                new double[] {0.7, 0.7, 0.7, 0.7}), 1e-12);
    }

    @Test
    public void sndOnThreePoints() {
        // q1 = q2 = (1, 0), q3 = (0, 1); with T = 1, row 1's logits are (-1, 1, 0) (its own is -1), row 2's
        // (1, -1, 0) and row 3's (0, 0, -1)
        SelectionInputs inputs = new SelectionInputs(1, 2, new float[] {0f}, new int[] {0}, new float[] {1f, 0f},
                new float[] {0f, 0f, 0f}, new float[] {1f, 0f, 1f, 0f, 0f, 1f});
        double rowOne = entropyOfSoftmax(-1, 1, 0);
        double rowThree = entropyOfSoftmax(0, 0, -1);
        assertEquals((2 * rowOne + rowThree) / 3, new SoftNeighbourhoodDensity(1.0).score(inputs), 1e-12);
        // at the paper's T = 0.05 the neighbour with the same prediction takes almost all the mass
        double sharp = new SoftNeighbourhoodDensity().score(inputs);
        assertEquals((2 * entropyOfSoftmax(-20, 20, 0) + entropyOfSoftmax(0, 0, -20)) / 3, sharp, 1e-12);
    }

    private static double entropyOfSoftmax(double... logits) {
        double z = 0;
        for (double v : logits) {
            z += Math.exp(v);
        }
        double h = 0;
        for (double v : logits) {
            double s = Math.exp(v) / z;
            h -= s * Math.log(s);
        }
        return h;
    }

    @Test
    public void predictionEntropyIsMinusTheMeanEntropy() {
        // target rows (1, 0) and (0.5, 0.5): entropies 0 and ln 2
        assertEquals(-Math.log(2) / 2, new PredictionEntropy().score(tiny()), 1e-12);
    }

    @Test
    public void circularValidationScoresPrototypesOfThePseudoLabelledTarget() {
        // target features (1, 0) and (0.9, 0.1) are predicted class 0, (0, 1) class 1; the source examples
        // (1, 0.2) label 0, (0.1, 1) label 1 and (0.2, 1) label 0 get classes 0, 1 and 1: recalls 1/2 and 1
        SelectionInputs inputs = new SelectionInputs(2, 2,
                new float[] {1f, 0.2f, 0.1f, 1f, 0.2f, 1f}, new int[] {0, 1, 0},
                new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f},
                new float[] {1f, 0f, 0.9f, 0.1f, 0f, 1f},
                new float[] {0.8f, 0.2f, 0.6f, 0.4f, 0.3f, 0.7f});
        assertEquals(0.75, new CircularValidation().score(inputs), 1e-12);
        // a single pseudo-label predicts that class everywhere
        SelectionInputs oneClass = new SelectionInputs(2, 2,
                new float[] {1f, 0.2f, 0.1f, 1f, 0.2f, 1f}, new int[] {0, 1, 0},
                new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f},
                new float[] {1f, 0f, 0.9f, 0.1f, 0f, 1f},
                new float[] {0.8f, 0.2f, 0.6f, 0.4f, 0.7f, 0.3f});
        assertEquals(0.5, new CircularValidation().score(oneClass), 1e-12);
    }

    @Test
    public void badInputsAreNamed() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new SelectionInputs(1, 2,
                new float[0], new int[0], new float[0], new float[] {1f}, new float[] {1f, 0f}));
        assertTrue(empty.getMessage().contains("no source validation examples"), empty.getMessage());
        IllegalArgumentException noTarget = assertThrows(IllegalArgumentException.class,
                () -> new SelectionInputs(1, 2, new float[] {0f}, new int[] {0}, new float[] {1f, 0f},
                        new float[0], new float[0]));
        assertTrue(noTarget.getMessage().contains("no target examples"), noTarget.getMessage());
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> new SelectionInputs(1, 2, new float[] {0f, 1f}, new int[] {0}, new float[] {1f, 0f},
                        new float[] {1f}, new float[] {1f, 0f}));
        assertTrue(mismatch.getMessage().contains("sourceFeatures has 2 values, expected 1 x 1"),
                mismatch.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new SelectionInputs(1, 2, new float[] {0f}, new int[] {0}, new float[] {1f, 0f},
                        new float[] {Float.NaN}, new float[] {1f, 0f}));
        assertTrue(nan.getMessage().contains("targetFeatures[0] is NaN"), nan.getMessage());
        IllegalArgumentException probability = assertThrows(IllegalArgumentException.class,
                () -> new SelectionInputs(1, 2, new float[] {0f}, new int[] {0}, new float[] {1.5f, 0f},
                        new float[] {1f}, new float[] {1f, 0f}));
        assertTrue(probability.getMessage().contains("not a probability"), probability.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> new SelectionInputs(1, 2, new float[] {0f}, new int[] {2}, new float[] {1f, 0f},
                        new float[] {1f}, new float[] {1f, 0f}));
        assertTrue(label.getMessage().contains("outside [0, 2)"), label.getMessage());
        SelectionInputs oneTarget = new SelectionInputs(1, 2, new float[] {0f}, new int[] {0},
                new float[] {1f, 0f}, new float[] {1f}, new float[] {1f, 0f});
        IllegalArgumentException snd = assertThrows(IllegalArgumentException.class,
                () -> new SoftNeighbourhoodDensity().score(oneTarget));
        assertTrue(snd.getMessage().contains("at least 2 target examples"), snd.getMessage());
        IllegalStateException certain = assertThrows(IllegalStateException.class,
                () -> new ImportanceWeightedValidation(known(1.0)).score(oneTarget));
        assertTrue(certain.getMessage().contains("strictly between 0 and 1"), certain.getMessage());
        assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> new SoftNeighbourhoodDensity(0));
        assertThrows(com.oracle.labs.mlrg.olcut.config.PropertyException.class,
                () -> new LogisticDomainClassifier(1, 0));
    }

    @Test
    public void scorersRebuildFromTheirProvenance() {
        List<SelectionScorer> scorers = List.of(new ImportanceWeightedValidation(new LogisticDomainClassifier(0.5, 100)),
                new DeepEmbeddedValidation(), new SoftNeighbourhoodDensity(0.1), new PredictionEntropy(),
                new CircularValidation());
        for (SelectionScorer scorer : scorers) {
            SelectionScorer rebuilt = ConfiguredObjects.instantiate(scorer.getProvenance(), SelectionScorer.class);
            assertEquals(scorer.toString(), rebuilt.toString());
            assertEquals(scorer.score(tiny()), rebuilt.score(tiny()), 0.0);
        }
    }
}
