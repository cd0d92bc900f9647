package org.tribuoadapt.tta.evaluation;

import ai.djl.ndarray.types.Shape;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.provenance.EvaluationProvenance;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.scenario.ShiftDomain;
import org.tribuoadapt.tta.scenario.ShiftScenario;
import org.tribuoadapt.tta.scenario.StreamBatch;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.scenario.TtaStream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replays a scenario's shifted stream through test-time adaptation methods, online: each batch is predicted once,
 * by the method in the state it reached on the earlier batches, and scored against the true labels, which the
 * method never sees. In a {@link StreamMode#RESET} stream the method is reset to the source model when the domain
 * changes.
 * <p>
 * Source always runs first, on the same stream, as the accuracy baseline and the latency reference; before it, a
 * few batches are run untimed to warm up the JIT and the native library. Latency is the wall-clock time of the
 * method's {@code predict} call per batch. Memory is the peak resident set of the process sampled after every
 * batch.
 */
public final class TtaEvaluator {

    /** Untimed Source batches before the timed replays. */
    public static final int DEFAULT_WARMUP_BATCHES = 3;
    /** Source-distribution samples offered to methods (EATA's Fisher estimate). */
    public static final int DEFAULT_SOURCE_SAMPLES = 2000;

    private final ShiftScenario scenario;
    private final int warmupBatches;
    private final int sourceSamples;
    private TrainingListener listener = TrainingListener.NONE;
    private ReplayObserver observer = ReplayObserver.NONE;

    /**
     * Creates an evaluator with 3 warm-up batches and up to 2000 source samples.
     * @param scenario The scenario that builds the stream.
     */
    public TtaEvaluator(ShiftScenario scenario) {
        this(scenario, DEFAULT_WARMUP_BATCHES, DEFAULT_SOURCE_SAMPLES);
    }

    /**
     * Creates an evaluator.
     * @param scenario The scenario that builds the stream.
     * @param warmupBatches Untimed Source batches before timing, at least 0.
     * @param sourceSamples The most source-distribution samples offered to methods, at least 0.
     */
    public TtaEvaluator(ShiftScenario scenario, int warmupBatches, int sourceSamples) {
        if (warmupBatches < 0 || sourceSamples < 0) {
            throw new IllegalArgumentException("warmupBatches and sourceSamples must be >= 0, found " + warmupBatches
                    + " and " + sourceSamples);
        }
        this.scenario = scenario;
        this.warmupBatches = warmupBatches;
        this.sourceSamples = sourceSamples;
    }

    /**
     * Sets where progress goes: {@code onStart} with the number of batches to replay over all methods, and
     * {@code onStep} after every batch with the batch's online error rate in place of a loss.
     * @param listener The listener.
     * @return This evaluator.
     */
    public TtaEvaluator withListener(TrainingListener listener) {
        this.listener = listener == null ? TrainingListener.NONE : listener;
        return this;
    }

    /**
     * Sets who sees every replayed batch's outputs and every session at the end of its replay.
     * @param observer The observer, or null for none.
     * @return This evaluator.
     */
    public TtaEvaluator withObserver(ReplayObserver observer) {
        this.observer = observer == null ? ReplayObserver.NONE : observer;
        return this;
    }

    /**
     * The scenario.
     * @return The scenario.
     */
    public ShiftScenario scenario() {
        return scenario;
    }

    /**
     * Evaluates one method (Source runs too, for the latency ratio).
     * @param model The source model.
     * @param testData The clean test data the scenario shifts (null for file replays).
     * @param sourceData Source-distribution data for methods that use it (labels unused), or null.
     * @param method The method.
     * @return The method's evaluation.
     */
    public TtaEvaluation evaluate(Model<Label> model, Dataset<Label> testData, Dataset<Label> sourceData,
                                  TestTimeMethod method) {
        TtaResults results = evaluate(model, testData, sourceData, List.of(method));
        return results.evaluations().get(results.evaluations().size() - 1);
    }

    /**
     * Evaluates several methods on the same stream.
     * @param model The source model.
     * @param testData The clean test data the scenario shifts (null for file replays).
     * @param sourceData Source-distribution data for methods that use it (labels unused), or null.
     * @param methods The methods; Source is added first if it is not among them.
     * @return The evaluations, Source first.
     * @throws IllegalArgumentException if a method cannot work with the model (the message names the
     * requirement) or the data does not fit the model.
     */
    public TtaResults evaluate(Model<Label> model, Dataset<Label> testData, Dataset<Label> sourceData,
                               List<? extends TestTimeMethod> methods) {
        TtaStream stream = scenario.open(testData, model.getFeatureIDMap(), model.getOutputIDInfo());
        TensorDataset source = sourceSamples(model, sourceData);
        AdaptationContext context = new AdaptationContext(scenario.batchSize(), stream.size(), source);
        List<TestTimeMethod> ordered = new ArrayList<>();
        ordered.add(methods.stream().filter(m -> m instanceof SourceOnly).<TestTimeMethod>map(m -> m).findFirst()
                .orElseGet(SourceOnly::new));
        methods.stream().filter(m -> !(m instanceof SourceOnly)).forEach(ordered::add);
        warmUp(model, stream, context, ordered.get(0));
        listener.onStart((long) stream.numBatches() * ordered.size());
        try {
            return new TtaResults(scenario, stream, replayAll(model, stream, context, source, sourceData, ordered));
        } finally {
            listener.onFinish();
        }
    }

    private List<TtaEvaluation> replayAll(Model<Label> model, TtaStream stream, AdaptationContext context,
                                          TensorDataset source, Dataset<Label> sourceData, List<TestTimeMethod> ordered) {
        long[] step = new long[1];
        List<TtaEvaluation> evaluations = new ArrayList<>();
        Set<String> names = new HashSet<>();
        double sourceMs = Double.NaN;
        for (TestTimeMethod method : ordered) {
            String name = method.name();
            for (int k = 2; !names.add(name); k++) {
                name = method.name() + "-" + k;
            }
            Replay replay = replay(model, stream, context, method, name, step);
            if (Double.isNaN(sourceMs)) {
                sourceMs = replay.medianMs();
            }
            TtaStreamProvenance streamProvenance = new TtaStreamProvenance(scenario.getProvenance(),
                    method.getProvenance(), stream.sources(), stream.size(), stream.numBatches(),
                    Math.min(warmupBatches, stream.numBatches()), source == null ? 0 : source.size(),
                    source == null ? null : sourceData.getProvenance());
            evaluations.add(new TtaEvaluation(name, replay.domains(), replay.meanMs(), replay.medianMs(),
                    replay.medianMs() / sourceMs, replay.peakMiB(), replay.growthMiB(),
                    new EvaluationProvenance(model.getProvenance(), streamProvenance)));
        }
        return evaluations;
    }

    private TensorDataset sourceSamples(Model<Label> model, Dataset<Label> sourceData) {
        if (sourceData == null || sourceSamples == 0 || sourceData.size() == 0) {
            return null;
        }
        int[] order = TensorDataset.permutation(sourceData.size(), new SplittableRandom(scenario.seed()));
        int count = Math.min(sourceSamples, order.length);
        List<Example<Label>> chosen = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chosen.add(sourceData.getExample(order[i]));
        }
        FeatureTensorizer tensorizer = new FeatureTensorizer(model.getFeatureIDMap(),
                new Shape(model.getFeatureIDMap().size()));
        return TensorDataset.from(chosen, tensorizer, model.getOutputIDInfo());
    }

    private void warmUp(Model<Label> model, TtaStream stream, AdaptationContext context, TestTimeMethod source) {
        try (AdaptationSession session = source.start(model, context)) {
            for (int b = 0; b < Math.min(warmupBatches, stream.numBatches()); b++) {
                StreamBatch batch = stream.batch(b);
                session.predict(batch.features(), batch.size());
            }
        }
    }

    /** What one method's replay measured. */
    private record Replay(List<DomainResult> domains, double meanMs, double medianMs, double peakMiB, double growthMiB) {}

    private Replay replay(Model<Label> model, TtaStream stream, AdaptationContext context, TestTimeMethod method,
                          String name, long[] step) {
        int classes = stream.numClasses();
        List<ShiftDomain> domains = stream.domains();
        long[] correct = new long[domains.size()];
        long[] total = new long[domains.size()];
        double[] millis = new double[stream.numBatches()];
        long startMemory = MemoryProbe.residentBytes();
        long peakMemory = startMemory;
        try (AdaptationSession session = method.start(model, context)) {
            for (StreamBatch batch : stream.batches()) {
                if (batch.resetBefore()) {
                    session.reset();
                }
                long start = System.nanoTime();
                float[] probabilities = session.predict(batch.features(), batch.size());
                millis[batch.index()] = (System.nanoTime() - start) / 1e6;
                if (probabilities.length != batch.size() * classes) {
                    throw new IllegalStateException("method '" + name + "' returned " + probabilities.length
                            + " values for a batch of " + batch.size() + " examples of " + classes + " classes");
                }
                int wrong = 0;
                for (int i = 0; i < batch.size(); i++) {
                    int d = batch.domains()[i];
                    total[d]++;
                    if (argMax(probabilities, i * classes, classes) == batch.labels()[i]) {
                        correct[d]++;
                    } else {
                        wrong++;
                    }
                }
                observer.onBatch(name, batch, probabilities);
                listener.onStep(++step[0], (double) wrong / batch.size(), 0.0);
                peakMemory = Math.max(peakMemory, MemoryProbe.residentBytes());
            }
            observer.onReplayEnd(name, session);
        }
        List<DomainResult> results = new ArrayList<>();
        for (int d = 0; d < domains.size(); d++) {
            ShiftDomain domain = domains.get(d);
            results.add(new DomainResult(domain.name(), domain.shift(), domain.severity(), correct[d], total[d]));
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(millis).average().orElse(Double.NaN);
        double median = sorted.length == 0 ? Double.NaN : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        double mib = 1024.0 * 1024.0;
        return new Replay(results, mean, median, peakMemory / mib, (peakMemory - startMemory) / mib);
    }

    private static int argMax(float[] values, int offset, int length) {
        int best = 0;
        for (int c = 1; c < length; c++) {
            if (values[offset + c] > values[offset + best]) {
                best = c;
            }
        }
        return best;
    }
}
