package org.tribuoadapt.tta.evaluation;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.provenance.ConfiguredObjects;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.TestTimeMethods;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.ShiftScenario;
import org.tribuoadapt.tta.scenario.StreamBatch;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.scenario.TtaStream;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TtaEvaluatorTest {

    private static CorruptionScenario scenario(StreamMode mode, int batchSize) {
        return new CorruptionScenario(List.of("gaussian_noise", "fog"), List.of(3, 5), TtaFixtures.SIZE,
                TtaFixtures.SIZE, mode, batchSize, 0.0, 0, TestSeeds.of(3));
    }

    @Test
    public void theObserverSeesEveryReplayedBatchAndTheScoredOutputs() {
        NetworkModel model = TtaFixtures.cnn();
        CorruptionScenario scenario = scenario(StreamMode.RESET, 16);
        Map<String, long[]> seen = new java.util.LinkedHashMap<>();
        List<String> ended = new ArrayList<>();
        ReplayObserver observer = new ReplayObserver() {
            @Override
            public void onBatch(String method, StreamBatch batch, float[] probabilities) {
                long[] counts = seen.computeIfAbsent(method, m -> new long[2]);
                counts[0] += batch.size();
                for (int i = 0; i < batch.size(); i++) {
                    int best = 0;
                    for (int c = 1; c < TtaFixtures.CLASSES; c++) {
                        if (probabilities[i * TtaFixtures.CLASSES + c]
                                > probabilities[i * TtaFixtures.CLASSES + best]) {
                            best = c;
                        }
                    }
                    counts[1] += best == batch.labels()[i] ? 1 : 0;
                }
            }

            @Override
            public void onReplayEnd(String method, AdaptationSession session) {
                ended.add(method);
            }
        };
        TtaResults results = new TtaEvaluator(scenario, 2, 0).withObserver(observer)
                .evaluate(model, TtaFixtures.test(30), null, List.of(Tent.withDefaults()));
        assertEquals(List.of(SourceOnly.NAME, Tent.NAME), ended);
        assertEquals(ended, new ArrayList<>(seen.keySet()));
        for (TtaEvaluation evaluation : results.evaluations()) {
            long[] counts = seen.get(evaluation.method());
            assertEquals(4 * 30, counts[0], "warm-up batches are not observed");
            assertEquals(evaluation.accuracy(), (double) counts[1] / counts[0], 1e-12);
        }
    }

    @Test
    public void sourceAccuracyPerDomainIsTribuosAccuracyOnThatDomain() {
        NetworkModel model = TtaFixtures.cnn();
        CorruptionScenario scenario = scenario(StreamMode.MIXED, 16);
        MutableDataset<Label> test = TtaFixtures.test(30);
        TtaEvaluation source = new TtaEvaluator(scenario).evaluate(model, test, null, new SourceOnly());
        assertEquals(SourceOnly.NAME, source.method());
        assertEquals(1.0, source.latencyRatio(), 0);
        // rebuild every domain's examples from the stream and score them with Tribuo's evaluator
        TtaStream stream = scenario.open(test, model.getFeatureIDMap(), model.getOutputIDInfo());
        List<MutableDataset<Label>> domains = new ArrayList<>();
        LabelFactory factory = new LabelFactory();
        for (int d = 0; d < stream.domains().size(); d++) {
            domains.add(new MutableDataset<>(new SimpleDataSourceProvenance("domain " + d, factory), factory));
        }
        ImmutableFeatureMap features = model.getFeatureIDMap();
        String[] names = new String[features.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = features.get(i).getName();
        }
        for (StreamBatch batch : stream.batches()) {
            for (int i = 0; i < batch.size(); i++) {
                double[] values = new double[names.length];
                for (int j = 0; j < names.length; j++) {
                    values[j] = batch.features()[i * names.length + j];
                }
                Label label = model.getOutputIDInfo().getOutput(batch.labels()[i]);
                Example<Label> e = new ArrayExample<>(new Label(label.getLabel()), names, values);
                domains.get(batch.domains()[i]).add(e);
            }
        }
        for (int d = 0; d < domains.size(); d++) {
            double expected = new LabelEvaluator().evaluate(model, domains.get(d)).accuracy();
            assertEquals(expected, source.domains().get(d).accuracy(), 1e-12, stream.domains().get(d).name());
            MetricTarget<Label> all = MetricTarget.macroAverageTarget();
            assertEquals(expected, source.get(new MetricID<>(all, "accuracy/" + stream.domains().get(d).name())), 1e-12);
        }
        Map<Integer, Double> bySeverity = source.severityAccuracy();
        assertEquals((source.domains().get(1).accuracy() + source.domains().get(3).accuracy()) / 2, bySeverity.get(5),
                1e-12);
        assertTrue(source.getPredictions().isEmpty());
    }

    @Test
    public void everyMethodRunsAndTheProvenanceRebuildsTheRun() {
        NetworkModel model = TtaFixtures.cnn();
        CorruptionScenario scenario = scenario(StreamMode.CONTINUAL, 16);
        List<TestTimeMethod> methods = TestTimeMethods.create(TestTimeMethods.names().subList(1,
                TestTimeMethods.names().size()));
        TtaResults results = new TtaEvaluator(scenario, 2, 200).evaluate(model, TtaFixtures.test(30),
                TtaFixtures.train(), methods);
        assertEquals(TestTimeMethods.names(), results.evaluations().stream().map(TtaEvaluation::method).toList());
        for (TtaEvaluation e : results.evaluations()) {
            // well above the 1/3 of a method that collapses onto one class
            assertTrue(e.accuracy() > 0.6 && e.accuracy() <= 1, e.toString());
            assertTrue(e.msPerBatch() > 0 && e.latencyRatio() > 0 && e.peakMemoryMiB() > 0, e.toString());
            assertEquals(4, e.domains().size());
        }
        TtaEvaluation tent = results.evaluation(Tent.NAME);
        Helpers.testProvenanceMarshalling(tent.getProvenance());
        TtaStreamProvenance stream = tent.streamProvenance();
        assertEquals(120, stream.examples());
        assertEquals(1, stream.sources().size());
        assertEquals(model.getProvenance(), tent.getProvenance().getModelProvenance());
        // the scenario (with its seed) and the method come back from the provenance alone
        ShiftScenario rebuilt = ConfiguredObjects.instantiate(stream.scenario(), ShiftScenario.class);
        assertEquals(scenario.describe(), rebuilt.describe());
        TtaStream a = scenario.open(TtaFixtures.test(30), model.getFeatureIDMap(), model.getOutputIDInfo());
        TtaStream b = rebuilt.open(TtaFixtures.test(30), model.getFeatureIDMap(), model.getOutputIDInfo());
        assertArrayEquals(a.batch(3).features(), b.batch(3).features());
        assertEquals(tent.getProvenance().getTestDatasetProvenance(), stream);
        assertEquals(Tent.withDefaults().toString(),
                ConfiguredObjects.instantiate(stream.method(), TestTimeMethod.class).toString());

        assertFalse(Double.isNaN(results.evaluation("lame").meanOverSeverities()));
    }

    /** Records the calls it receives and predicts class 0. */
    private static final class RecordingMethod implements TestTimeMethod {
        private final List<String> events = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public AdaptationSession start(Model<Label> model, AdaptationContext context) {
            events.add("start");
            int classes = model.getOutputIDInfo().size();
            return new AdaptationSession() {
                @Override
                public float[] predict(float[] features, int n) {
                    events.add("batch" + n);
                    float[] out = new float[n * classes];
                    for (int i = 0; i < n; i++) {
                        out[i * classes] = 1;
                    }
                    return out;
                }

                @Override
                public void reset() {
                    events.add("reset");
                }

                @Override
                public void close() {
                    events.add("close");
                }
            };
        }

        @Override
        public ConfiguredObjectProvenance getProvenance() {
            return new ConfiguredObjectProvenanceImpl(this, "TestTimeMethod");
        }
    }

    @Test
    public void resetStreamsResetTheMethodAtEachShiftAndOthersNever() {
        NetworkModel model = TtaFixtures.cnn();
        MutableDataset<Label> test = TtaFixtures.test(10);
        RecordingMethod reset = new RecordingMethod();
        new TtaEvaluator(scenario(StreamMode.RESET, 4), 0, 0).evaluate(model, test, null, reset);
        // four domains of 10 examples in batches of 4, 4 and 2, reset when the domain changes
        List<String> domain = List.of("batch4", "batch4", "batch2");
        List<String> expected = new ArrayList<>(List.of("start"));
        for (int d = 0; d < 4; d++) {
            if (d > 0) {
                expected.add("reset");
            }
            expected.addAll(domain);
        }
        expected.add("close");
        assertEquals(expected, reset.events);
        RecordingMethod continual = new RecordingMethod();
        TtaEvaluation e = new TtaEvaluator(scenario(StreamMode.CONTINUAL, 4), 0, 0).evaluate(model, test, null, continual);
        assertFalse(continual.events.contains("reset"));
        // predicting class 0 everywhere scores the share of class-0 examples
        assertEquals(4.0 / 10, e.accuracy(), 1e-12);
    }
}
