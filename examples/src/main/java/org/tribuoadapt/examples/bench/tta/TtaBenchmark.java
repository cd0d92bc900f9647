package org.tribuoadapt.examples.bench.tta;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.io.AtomicFiles;
import org.tribuoadapt.core.model.ModelFiles;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.tta.corruption.Corruption;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.evaluation.TtaResults;
import org.tribuoadapt.tta.method.TestTimeMethod;
import org.tribuoadapt.tta.method.TestTimeMethods;
import org.tribuoadapt.tta.method.lame.Lame;
import org.tribuoadapt.tta.method.lame.LameAffinity;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench tta}: test-time adaptation on corrupted Fashion-MNIST. A CNN source model (the main job's
 * architecture: conv 32 and 64 with BatchNorm, pooling, hidden 128) is trained on the training set, or loaded from
 * a file; the test set is corrupted by the fifteen corruptions of Hendrycks and Dietterich (2019) at the chosen
 * severities; and each method is replayed over reset-per-shift, continual and Dirichlet-correlated (continual,
 * labels ordered with delta, as the "correlated" setting of Marsden, Döbler and Yang 2024) streams at each batch
 * size, and, with {@code label-shift} in {@code --scenarios}, over a stream with covariate and label shift together
 * (reset per shift, i.i.d. order, every domain subsampled to follow one Dirichlet({@code --class-prior-alpha})
 * class-prior vector, as in Park et al. 2023). One JSON line per scenario, batch size and method gives the mean
 * accuracy over corruptions at severity 5, the mean over severities, the latency per batch and its ratio to Source,
 * and peak memory.
 * <p>
 * Options (defaults in brackets): {@code --data} [/usr/share/datasets/fashion-mnist], {@code --model} a saved
 * NetworkModel to load instead of training [none], {@code --save-model} [none], {@code --train-examples} (0 = all)
 * [0], {@code --epochs} [3], {@code --examples} test examples per domain at batch sizes above 1 (0 = all) [150],
 * {@code --examples-batch1} per domain at batch size 1 [10], {@code --corruptions} [all], {@code --severities}
 * [1,2,3,4,5], {@code --scenarios} [reset,continual,dirichlet], {@code --batch-sizes} [64,1], {@code --methods}
 * [all], {@code --lame-affinity} knn, rbf or linear in place of LAME's default [none], {@code --lame-knn} LAME's k
 * (0 = its default) [0], {@code --dirichlet-delta} [0.1], {@code --class-prior-alpha} the Dirichlet concentration of
 * the label-shift scenario's class priors [1.0], {@code --seed} [1].
 */
public final class TtaBenchmark implements BenchmarkCommand {

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", "/usr/share/datasets/fashion-mnist");
        d.put("model", "");
        d.put("save-model", "");
        d.put("train-examples", "0");
        d.put("epochs", "3");
        d.put("examples", "150");
        d.put("examples-batch1", "10");
        d.put("corruptions", String.join(",", Corruption.names()));
        d.put("severities", "1,2,3,4,5");
        d.put("scenarios", "reset,continual,dirichlet");
        d.put("batch-sizes", "64,1");
        d.put("methods", String.join(",", TestTimeMethods.names()));
        d.put("lame-affinity", "");
        d.put("lame-knn", "0");
        d.put("dirichlet-delta", "0.1");
        d.put("class-prior-alpha", "1.0");
        d.put("seed", "1");
        return Collections.unmodifiableMap(d);
    }

    /**
     * Creates the command.
     */
    public TtaBenchmark() {}

    @Override
    public String name() {
        return "tta";
    }

    @Override
    public String description() {
        return "test-time adaptation methods on corrupted Fashion-MNIST streams (reset, continual, Dirichlet; "
                + "batch sizes 64 and 1); options --" + String.join(", --", DEFAULTS.keySet());
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, DEFAULTS);
        // every option is read before any data is, so that a typo fails at once
        List<String> corruptions = options.list("corruptions");
        List<Integer> severities = options.integers("severities");
        List<TestTimeMethod> methods = withLameAffinity(TestTimeMethods.create(options.list("methods")),
                options.string("lame-affinity"), options.integer("lame-knn"));
        List<Integer> batchSizes = options.integers("batch-sizes");
        List<String> scenarios = options.list("scenarios");
        scenarios.forEach(TtaBenchmark::mode);
        long seed = options.longValue("seed");
        int epochs = options.integer("epochs");
        int trainExamples = options.integer("train-examples");
        int examples = options.integer("examples");
        int examplesBatch1 = options.integer("examples-batch1");
        double delta = options.real("dirichlet-delta");
        double classPriorAlpha = options.real("class-prior-alpha");
        new CorruptionScenario(corruptions, severities, StreamMode.RESET, 1, delta, 0, seed)
                .withClassPriorConcentration(classPriorAlpha);
        ObjectMapper json = new ObjectMapper();
        long started = System.nanoTime();
        Path data = Path.of(options.string("data"));
        MutableDataset<Label> test = load(data, "t10k", 0);
        NetworkModel model = sourceModel(options.string("model"), options.string("save-model"), data, trainExamples,
                epochs, seed, test, json, out);
        // EATA's Fisher estimate needs 2000 unlabelled source images; keeping the whole training set would only
        // add garbage-collection pauses to the timings
        MutableDataset<Label> source = load(data, "train", TtaEvaluator.DEFAULT_SOURCE_SAMPLES);
        for (int batchSize : batchSizes) {
            int perDomain = batchSize == 1 ? examplesBatch1 : examples;
            for (String kind : scenarios) {
                StreamMode mode = mode(kind);
                double kindDelta = kind.equals("dirichlet") ? delta : 0.0;
                CorruptionScenario scenario = new CorruptionScenario(corruptions, severities, mode, batchSize, kindDelta,
                        perDomain, seed);
                if (kind.equals("label-shift")) {
                    scenario.withClassPriorConcentration(classPriorAlpha);
                }
                long start = System.nanoTime();
                long cpuStart = cpuNanos();
                TtaResults results = new TtaEvaluator(scenario).evaluate(model, test, source, methods);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (cpuNanos() - cpuStart) / 1e9;
                for (TtaEvaluation e : results.evaluations()) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("bench", "tta");
                    line.put("scenario", kind);
                    line.put("batchSize", batchSize);
                    line.put("method", e.method());
                    methods.stream().filter(m -> m instanceof Lame && m.name().equals(e.method())).findFirst()
                            .ifPresent(m -> {
                                line.put("lameAffinity", ((Lame) m).affinity().name());
                                line.put("lameKnn", ((Lame) m).knn());
                            });
                    if (scenario.classPriorConcentration() > 0) {
                        line.put("classPriorConcentration", scenario.classPriorConcentration());
                    }
                    line.put("examplesPerDomain", results.stream().domains().get(0).size());
                    line.put("domains", results.stream().domains().size());
                    line.put("meanAccuracySeverity5", e.severityAccuracy().get(5));
                    line.put("meanAccuracyAllSeverities", e.meanOverSeverities());
                    line.put("accuracy", e.accuracy());
                    Map<String, Double> bySeverity = new LinkedHashMap<>();
                    e.severityAccuracy().forEach((s, a) -> bySeverity.put(Integer.toString(s), a));
                    line.put("severityAccuracy", bySeverity);
                    line.put("msPerBatch", e.msPerBatch());
                    line.put("medianMsPerBatch", e.medianMsPerBatch());
                    line.put("latencyRatio", e.latencyRatio());
                    line.put("peakMemoryMiB", e.peakMemoryMiB());
                    line.put("scenarioSeconds", seconds);
                    line.put("scenarioCpuSeconds", cpuSeconds);
                    out.println(json.writeValueAsString(line));
                }
                out.flush();
            }
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("bench", "tta");
        done.put("event", "done");
        done.put("totalSeconds", (System.nanoTime() - started) / 1e9);
        done.put("totalCpuSeconds", cpuNanos() / 1e9);
        out.println(json.writeValueAsString(done));
    }

    /** LAME with the named affinity (knn, rbf or linear) and k in place of its own; empty and 0 keep its own. */
    private static List<TestTimeMethod> withLameAffinity(List<TestTimeMethod> methods, String affinity, int knn) {
        if (affinity.isEmpty() && knn == 0) {
            return methods;
        }
        LameAffinity chosen = affinity.isEmpty() ? null : Arrays.stream(LameAffinity.values())
                .filter(a -> a.name().equalsIgnoreCase(affinity)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--lame-affinity must be one of "
                        + Arrays.toString(LameAffinity.values()) + ", found '" + affinity + "'"));
        return methods.stream().map(m -> m instanceof Lame lame ? lame.withAffinity(
                chosen == null ? lame.affinity() : chosen, knn == 0 ? lame.knn() : knn) : m).toList();
    }

    /** The stream mode of a scenario name; the Dirichlet-correlated stream is continual, the label-shifted one reset. */
    private static StreamMode mode(String kind) {
        switch (kind) {
            case "reset":
            case "label-shift":
                return StreamMode.RESET;
            case "continual":
            case "dirichlet":
                return StreamMode.CONTINUAL;
            case "mixed":
                return StreamMode.MIXED;
            default:
                throw new IllegalArgumentException("unknown scenario '" + kind
                        + "'; scenarios are reset, continual, dirichlet, mixed and label-shift");
        }
    }

    private static MutableDataset<Label> load(Path dir, String prefix, int examples) throws IOException {
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isReadable(images) || !Files.isReadable(labels)) {
            throw new IllegalArgumentException("Fashion-MNIST files " + images + " and " + labels
                    + " are not readable; set --data to the folder holding them");
        }
        int perClass = examples > 0 ? (examples + 9) / 10 : 0;
        return new MutableDataset<>(new IDXImageDataSource(images.toString(), labels.toString(),
                Collections.emptyList(), Collections.emptyList(), perClass));
    }

    /** The CPU time of the whole process (all threads, native included), or 0 where the JVM does not report it. */
    private static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
    }

    private static NetworkModel sourceModel(String modelPath, String savePath, Path data, int trainLimit, int epochs,
                                            long seed, MutableDataset<Label> test, ObjectMapper json, PrintStream out)
            throws Exception {
        long start = System.nanoTime();
        NetworkModel model;
        String trained;
        int trainExamples = 0;
        if (!modelPath.isEmpty()) {
            Model<?> loaded = ModelFiles.load(Path.of(modelPath));
            model = NetworkModel.require(loaded, "--model " + modelPath);
            trained = "loaded";
        } else {
            MutableDataset<Label> train = load(data, "train", trainLimit);
            trainExamples = train.size();
            CNNSpec spec = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
            model = new NetworkTrainer(spec, new AdamOptimiserFactory(1e-3), epochs, 64, seed).train(train);
            trained = "trained";
        }
        if (!savePath.isEmpty()) {
            AtomicFiles.write(Path.of(savePath), model.serialize().toByteArray());
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("bench", "tta");
        line.put("event", "source-model");
        line.put("model", trained);
        line.put("trainExamples", trainExamples);
        line.put("seconds", (System.nanoTime() - start) / 1e9);
        line.put("cleanTestAccuracy", new LabelEvaluator().evaluate(model, test).accuracy());
        out.println(json.writeValueAsString(line));
        return model;
    }
}
