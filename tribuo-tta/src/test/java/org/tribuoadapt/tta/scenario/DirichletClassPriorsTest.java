package org.tribuoadapt.tta.scenario;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.MutableDataset;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class DirichletClassPriorsTest {

    private static final int S = TtaFixtures.SIZE;

    /** 200 examples of each of 10 classes, class by class. */
    private static int[] balancedLabels() {
        int[] labels = new int[2000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / 200;
        }
        return labels;
    }

    @Test
    public void realisedClassFrequenciesFollowTheDrawnPriors() {
        int[] labels = balancedLabels();
        for (double alpha : new double[] {0.1, 1.0, 10.0}) {
            DirichletClassPriors.Draw draw = DirichletClassPriors.draw(labels, 10, alpha, 0, new SplittableRandom(5));
            int n = draw.indices().length;
            int[] counts = new int[10];
            for (int i : draw.indices()) {
                counts[labels[i]]++;
            }
            double priorSum = 0;
            for (int c = 0; c < 10; c++) {
                priorSum += draw.priors()[c];
                assertTrue(Math.abs((double) counts[c] / n - draw.priors()[c]) < 1.0 / n, "alpha " + alpha
                        + " class " + c + ": " + counts[c] + "/" + n + " vs prior " + draw.priors()[c]);
                assertTrue(counts[c] <= 200);
            }
            assertEquals(1.0, priorSum, 1e-12);
            // the largest subsample: the dominant class uses all, or nearly all, of its 200 examples
            assertTrue(Arrays.stream(counts).max().getAsInt() >= 199, Arrays.toString(counts));
            assertEquals(n, Arrays.stream(draw.indices()).distinct().count(), "drawn without replacement");
        }
    }

    @Test
    public void smallConcentrationsImbalanceTheClasses() {
        DirichletClassPriors.Draw skewed = DirichletClassPriors.draw(balancedLabels(), 10, 0.1, 0,
                new SplittableRandom(3));
        DirichletClassPriors.Draw flat = DirichletClassPriors.draw(balancedLabels(), 10, 1000, 0,
                new SplittableRandom(3));
        assertTrue(Arrays.stream(skewed.priors()).max().getAsDouble() > 0.4, Arrays.toString(skewed.priors()));
        assertTrue(Arrays.stream(flat.priors()).max().getAsDouble() < 0.15, Arrays.toString(flat.priors()));
    }

    @Test
    public void theLimitCapsTheSubsample() {
        DirichletClassPriors.Draw draw = DirichletClassPriors.draw(balancedLabels(), 10, 10.0, 150,
                new SplittableRandom(2));
        assertEquals(150, draw.indices().length);
    }

    @Test
    public void sameSeedSameDraw() {
        DirichletClassPriors.Draw a = DirichletClassPriors.draw(balancedLabels(), 10, 0.5, 0, new SplittableRandom(9));
        DirichletClassPriors.Draw b = DirichletClassPriors.draw(balancedLabels(), 10, 0.5, 0, new SplittableRandom(9));
        assertArrayEquals(a.priors(), b.priors());
        assertArrayEquals(a.indices(), b.indices());
    }

    @Test
    public void aClassWithoutExamplesIsNamed() {
        int[] labels = {0, 0, 1, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirichletClassPriors.draw(labels, 3, 1.0, 0, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("class 2 has no example"), e.getMessage());
    }

    private static CorruptionScenario labelShifted(double alpha, long seed) {
        CorruptionScenario scenario = new CorruptionScenario(List.of("fog", "impulse_noise"), List.of(3), S, S,
                StreamMode.RESET, 16, 0.0, 0, seed);
        scenario.withClassPriorConcentration(alpha);
        return scenario;
    }

    private static int[] streamLabels(TtaStream stream) {
        int[] out = new int[stream.size()];
        int k = 0;
        for (StreamBatch batch : stream.batches()) {
            for (int y : batch.labels()) {
                out[k++] = y;
            }
        }
        return out;
    }

    @Test
    public void corruptionStreamsFollowTheirDirichletPriorsDeterministically() {
        NetworkModel model = TtaFixtures.cnn();
        MutableDataset<Label> test = TtaFixtures.test(300);
        TtaStream shifted = labelShifted(0.5, 4L).open(test, model.getFeatureIDMap(), model.getOutputIDInfo());
        TtaStream again = labelShifted(0.5, 4L).open(test, model.getFeatureIDMap(), model.getOutputIDInfo());
        TtaStream plain = new CorruptionScenario(List.of("fog", "impulse_noise"), List.of(3), S, S, StreamMode.RESET,
                16, 0.0, 0, 4L).open(test, model.getFeatureIDMap(), model.getOutputIDInfo());
        assertArrayEquals(streamLabels(shifted), streamLabels(again));
        // both domains hold the same label-shifted examples
        int[] first = shifted.domains().get(0).labels();
        assertArrayEquals(first, shifted.domains().get(1).labels());
        assertTrue(first.length < plain.domains().get(0).size());
        int[] counts = new int[TtaFixtures.CLASSES];
        for (int y : first) {
            counts[y]++;
        }
        int[] testCounts = new int[TtaFixtures.CLASSES];
        for (int y : plain.domains().get(0).labels()) {
            testCounts[y]++;
        }
        // the dominant class keeps (nearly) all its examples, and the class frequencies differ from the test set's
        boolean someClassFull = false;
        for (int c = 0; c < counts.length; c++) {
            someClassFull |= counts[c] >= testCounts[c] - 1;
        }
        assertTrue(someClassFull, Arrays.toString(counts) + " of " + Arrays.toString(testCounts));
        assertTrue(labelShifted(0.5, 4L).describe().contains("class priors Dirichlet 0.5"));
    }

    @Test
    public void theConcentrationIsInTheProvenanceAndValidated() {
        CorruptionScenario scenario = labelShifted(0.25, 2L);
        Helpers.testConfigurableRoundtrip(scenario);
        Helpers.testProvenanceMarshalling(scenario.getProvenance());
        assertTrue(ProvenanceUtil.formattedProvenanceString(scenario.getProvenance())
                .contains("classPriorConcentration = 0.25"));
        CorruptionScenario plain = labelShifted(0, 2L);
        PropertyException e = assertThrows(PropertyException.class, () -> plain.withClassPriorConcentration(-1));
        assertTrue(e.getMessage().contains("classPriorConcentration must be finite and >= 0"), e.getMessage());
        assertThrows(PropertyException.class, () -> plain.withClassPriorConcentration(Double.NaN));
    }
}
