package org.tribuoadapt.tta.scenario;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.tta.corruption.Corruption;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class CorruptionScenarioTest {

    private static final int S = TtaFixtures.SIZE;

    private static CorruptionScenario scenario(StreamMode mode, int batchSize, double delta, int perDomain, long seed) {
        return new CorruptionScenario(List.of("fog", "impulse_noise"), List.of(2, 5), S, S, mode, batchSize, delta,
                perDomain, seed);
    }

    private static TtaStream open(CorruptionScenario scenario, MutableDataset<Label> test) {
        NetworkModel model = TtaFixtures.cnn();
        return scenario.open(test, model.getFeatureIDMap(), model.getOutputIDInfo());
    }

    @Test
    public void resetStreamsVisitDomainsInOrderAndResetAtEachShift() {
        TtaStream stream = open(scenario(StreamMode.RESET, 7, 0.0, 0, 3L), TtaFixtures.test(30));
        List<String> names = new ArrayList<>();
        stream.domains().forEach(d -> names.add(d.name()));
        assertEquals(List.of("fog-2", "fog-5", "impulse_noise-2", "impulse_noise-5"), names);
        assertEquals(120, stream.size());
        // 30 examples per domain in batches of 7: 5 batches per domain, the last of 2
        assertEquals(20, stream.numBatches());
        int resets = 0;
        for (StreamBatch batch : stream.batches()) {
            Set<Integer> domains = new HashSet<>();
            for (int d : batch.domains()) {
                domains.add(d);
            }
            assertEquals(1, domains.size(), "a reset-stream batch spans domains");
            assertEquals(batch.index() % 5 == 4 ? 2 : 7, batch.size());
            if (batch.resetBefore()) {
                resets++;
                assertEquals(0, batch.index() % 5);
            }
        }
        assertEquals(3, resets);
    }

    @Test
    public void continualAndMixedStreamsNeverReset() {
        TtaStream continual = open(scenario(StreamMode.CONTINUAL, 8, 0.0, 0, 3L), TtaFixtures.test(30));
        TtaStream mixed = open(scenario(StreamMode.MIXED, 8, 0.0, 0, 3L), TtaFixtures.test(30));
        boolean mixedSpansDomains = false;
        for (StreamBatch b : continual.batches()) {
            assertFalse(b.resetBefore());
        }
        for (StreamBatch b : mixed.batches()) {
            assertFalse(b.resetBefore());
            mixedSpansDomains |= Arrays.stream(b.domains()).distinct().count() > 1;
        }
        assertTrue(mixedSpansDomains);
        assertEquals(15, mixed.numBatches());
    }

    @Test
    public void anExampleIsCorruptedTheSameWayInEveryStream() {
        MutableDataset<Label> test = TtaFixtures.test(30);
        TtaStream a = open(scenario(StreamMode.RESET, 1, 0.0, 0, 9L), test);
        TtaStream b = open(scenario(StreamMode.MIXED, 16, 0.5, 0, 9L), test);
        // collect every (domain, label, features) of both streams: they hold the same multiset of examples
        List<String> first = fingerprints(a);
        List<String> second = fingerprints(b);
        first.sort(null);
        second.sort(null);
        assertEquals(first, second);
        // the same seed gives the same stream, batch by batch
        TtaStream again = open(scenario(StreamMode.MIXED, 16, 0.5, 0, 9L), test);
        for (int i = 0; i < b.numBatches(); i++) {
            assertArrayEquals(b.batch(i).features(), again.batch(i).features());
            assertArrayEquals(b.batch(i).labels(), again.batch(i).labels());
        }
        // and a different seed corrupts differently
        TtaStream other = open(scenario(StreamMode.RESET, 1, 0.0, 0, 10L), test);
        List<String> third = fingerprints(other);
        third.sort(null);
        assertFalse(first.equals(third));
    }

    private static List<String> fingerprints(TtaStream stream) {
        List<String> out = new ArrayList<>();
        int width = stream.width();
        for (StreamBatch batch : stream.batches()) {
            for (int i = 0; i < batch.size(); i++) {
                float[] f = Arrays.copyOfRange(batch.features(), i * width, (i + 1) * width);
                out.add(batch.domains()[i] + ":" + batch.labels()[i] + ":" + Arrays.toString(f));
            }
        }
        return out;
    }

    @Test
    public void subsamplesKeepTheSameExamplesInEveryDomain() {
        TtaStream stream = open(scenario(StreamMode.RESET, 4, 0.0, 12, 3L), TtaFixtures.test(30));
        assertEquals(48, stream.size());
        for (ShiftDomain d : stream.domains()) {
            assertEquals(12, d.size());
            assertArrayEquals(stream.domains().get(0).labels(), d.labels());
        }
    }

    @Test
    public void dirichletOrderCorrelatesLabels() {
        MutableDataset<Label> test = TtaFixtures.test(300);
        double iid = labelChangeRate(open(scenario(StreamMode.CONTINUAL, 300, 0.0, 0, 4L), test));
        double correlated = labelChangeRate(open(scenario(StreamMode.CONTINUAL, 300, 0.1, 0, 4L), test));
        assertTrue(iid > 0.5, "i.i.d. change rate " + iid);
        assertTrue(correlated < 0.2, "Dirichlet change rate " + correlated);
    }

    private static double labelChangeRate(TtaStream stream) {
        int changes = 0;
        int pairs = 0;
        for (StreamBatch batch : stream.batches()) {
            for (int i = 1; i < batch.size(); i++) {
                changes += batch.labels()[i] != batch.labels()[i - 1] ? 1 : 0;
                pairs++;
            }
        }
        return (double) changes / pairs;
    }

    @Test
    public void labelCorrelatedOrderIsAPermutation() {
        int[] labels = new int[200];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 4;
        }
        int[] order = LabelCorrelatedOrder.order(labels, 4, 0.05, new java.util.SplittableRandom(1));
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertArrayEquals(org.tribuoadapt.core.train.Evaluation.range(0, 200), sorted);
        double[] p = DirichletSampler.sample(0.01, 10, new java.util.SplittableRandom(2));
        assertEquals(1, Arrays.stream(p).sum(), 1e-12);
        assertTrue(Arrays.stream(p).max().orElse(0) > 0.9, "a tiny delta concentrates the mass");
    }

    @Test
    public void configurationAndProvenanceRoundTrip() {
        CorruptionScenario s = new CorruptionScenario(List.of("snow", "frost"), List.of(1, 4), S, S, StreamMode.MIXED,
                3, 0.25, 7, 99L);
        Helpers.testConfigurableRoundtrip(s);
        Helpers.testProvenanceMarshalling(s.getProvenance());
        assertEquals(List.of(Corruption.SNOW, Corruption.FROST), s.corruptions());
    }

    @Test
    public void badSettingsNameTheProblem() {
        PropertyException e = assertThrows(PropertyException.class, () -> new CorruptionScenario(List.of("fog"),
                List.of(6), StreamMode.RESET, 8, 0, 0, 1L));
        assertTrue(e.getMessage().contains("severity 6 is outside 1-5"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new CorruptionScenario(List.of("fog"), List.of(0),
                StreamMode.RESET, 8, 0, 0, 1L));
        assertTrue(e.getMessage().contains("severity 0 is outside 1-5"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new CorruptionScenario(List.of("haze"), List.of(1),
                StreamMode.RESET, 8, 0, 0, 1L));
        assertTrue(e.getMessage().contains("unknown corruption 'haze'"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new CorruptionScenario(List.of("fog"), List.of(1),
                StreamMode.RESET, 0, 0, 0, 1L));
        assertTrue(e.getMessage().contains("batchSize must be at least 1, found 0"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new CorruptionScenario(List.of("fog"), List.of(1),
                StreamMode.RESET, 8, -0.5, 0, 1L));
        assertTrue(e.getMessage().contains("dirichletDelta"), e.getMessage());
        e = assertThrows(PropertyException.class, () -> new CorruptionScenario(List.of("fog", "fog"), List.of(1),
                StreamMode.RESET, 8, 0, 0, 1L));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
        // 28x28 images do not fit the 8x8 model
        CorruptionScenario wrongSize = new CorruptionScenario(List.of("fog"), List.of(1), StreamMode.RESET, 8, 0, 0, 1L);
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> open(wrongSize, TtaFixtures.test(10)));
        assertTrue(size.getMessage().contains("the model has 64 features but the scenario's images are 28x28"),
                size.getMessage());
        IllegalArgumentException noData = assertThrows(IllegalArgumentException.class,
                () -> open(scenario(StreamMode.RESET, 2, 0, 0, 1L), null));
        assertTrue(noData.getMessage().contains("needs the clean test data"), noData.getMessage());
    }
}
