package org.tribuoadapt.examples.bench.hpo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.data.IDXTensors;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.hpo.federated.GlobalScheduler;
import org.tribuoadapt.hpo.hypergradient.AdamHDOptimiserFactory;
import org.tribuoadapt.hpo.hypergradient.HypergradientRule;
import org.tribuoadapt.hpo.hypergradient.HypergradientSettings;
import org.tribuoadapt.hpo.steplaw.StepLaw;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bench hpo}: the learning-rate tuners of tribuo-hpo on Fashion-MNIST, one JSON object per line.
 * <ul>
 *   <li>(a) {@code robustness}: the main job's CNN trained with Adam and with Adam-HD (Baydin et al. 2018) from each
 *   initial learning rate; final held-out accuracy, the first measured step reaching {@code --target}, the accuracy
 *   curve and the learning-rate range; then a summary with each optimiser's accuracy spread in points.</li>
 *   <li>(b) {@code federated}: FedAvg against FedHyper (Zhou et al. 2024) on a Dirichlet non-i.i.d. split, from the
 *   same initial rates as client learning rates; test accuracy per round, rounds to {@code --fed-target}, and per
 *   rate the rounds FedHyper needs to reach FedAvg's final accuracy; then a summary.</li>
 *   <li>(c) {@code steplaw}: the Step Law's worked values (Li et al. 2025) and its prediction for part (a)'s run.</li>
 *   <li>(d) {@code pbt}: population based training (Jaderberg et al. 2017) against random search at the same number
 *   of training epochs ({@link PbtComparison}), one line per method and seed, then a summary; not in the default
 *   parts.</li>
 *   <li>(e) {@code search}: random search, TPE, GP and TPE with ASHA pruning over a small CNN's learning rate, weight
 *   decay, dropout and batch size on the embedded sample ({@link SearchComparison}): best validation accuracy by
 *   trial, wall time and epochs trained per method; the per-trial cost of storage and sampling with
 *   {@code --overhead-finished} finished trials; and random search and TPE on a cheap synthetic function of the same
 *   space, to set beside Optuna's on that function ({@code bench/optuna-sampler-quality.py}); not in the default
 *   parts.</li>
 * </ul>
 * Options: {@code --parts a,b,c}; {@code --data DIR}; {@code --rates 1e-5,1e-4,1e-3,1e-2,1e-1}; {@code --seed N};
 * (a) {@code --examples N} (20000), {@code --held-out N} (2000, the first test images), {@code --epochs N} (2),
 * {@code --batch N} (64), {@code --eval-every N} (25), {@code --target A} (0.85), {@code --beta B} (Adam-HD's beta),
 * {@code --max-lr X} (Adam-HD's upper clip), {@code --rule additive|multiplicative} (Adam-HD's rule); (b) {@code --fed-examples N} (10000), {@code --rounds N} (30),
 * {@code --clients N} (20), {@code --fraction C} (0.25), {@code --local-epochs N} (1), {@code --local-batch N} (32),
 * {@code --alpha A} (0.5), {@code --fed-target A} (0.80), {@code --schedulers GM,SL,CL}; (d) {@code --pbt-population N} (8),
 * {@code --pbt-interval E} (1), {@code --pbt-intervals K} (4), {@code --pbt-train-per-class N} (200),
 * {@code --pbt-valid-per-class N} (50), {@code --pbt-hidden N} (64), {@code --pbt-seeds 1,2,3}; (e)
 * {@code --search-data embedded|DIR} (embedded: the sample inside the jar), {@code --search-train-per-class N} (100),
 * {@code --search-valid-per-class N} (50), {@code --search-epochs N} (4), {@code --search-trials N} (30),
 * {@code --search-methods random,tpe,gp,tpe-asha}, {@code --search-seeds 1}, {@code --overhead-finished N} (1000),
 * {@code --overhead-measured N} (21), {@code --synthetic-seeds 1,...,10}; (f) Self-Tuning Networks against a fixed
 * dropout/L2 grid at equal weight steps: {@code --stn-data embedded|DIR} (embedded), {@code --stn-train-per-class N}
 * (500), {@code --stn-test-per-class N} (200), {@code --stn-hidden 256,256}, {@code --stn-epochs N} (5),
 * {@code --stn-batch N} (128), {@code --stn-dropouts 0.05,0.2,0.5}, {@code --stn-l2s 1e-5,1e-4,1e-3},
 * {@code --stn-seeds 1}.
 */
public final class HpoBenchmark implements BenchmarkCommand {

    /** Adam-HD's hypergradient learning rate in the benchmark and the main job. */
    public static final double DEFAULT_BETA = 1e-6;

    private static final int CLASSES = 10;

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("parts", "a,b,c");
        d.put("data", "/usr/share/datasets/fashion-mnist");
        d.put("rates", "1e-5,1e-4,1e-3,1e-2,1e-1");
        d.put("seed", "1");
        d.put("examples", "20000");
        d.put("held-out", "2000");
        d.put("epochs", "2");
        d.put("batch", "64");
        d.put("eval-every", "25");
        d.put("target", "0.85");
        d.put("beta", Double.toString(DEFAULT_BETA));
        d.put("max-lr", "0.1");
        d.put("rule", "additive");
        d.put("fed-examples", "10000");
        d.put("rounds", "30");
        d.put("clients", "20");
        d.put("fraction", "0.25");
        d.put("local-epochs", "1");
        d.put("local-batch", "32");
        d.put("alpha", "0.5");
        d.put("fed-target", "0.80");
        d.put("schedulers", "GM,SL,CL");
        d.put("pbt-population", "8");
        d.put("pbt-interval", "1");
        d.put("pbt-intervals", "4");
        d.put("pbt-train-per-class", "200");
        d.put("pbt-valid-per-class", "50");
        d.put("pbt-hidden", "64");
        d.put("pbt-seeds", "1,2,3");
        d.put("search-data", "embedded");
        d.put("search-train-per-class", "100");
        d.put("search-valid-per-class", "50");
        d.put("search-epochs", "4");
        d.put("search-trials", "30");
        d.put("search-methods", String.join(",", SearchComparison.METHODS));
        d.put("search-seeds", "1");
        d.put("overhead-finished", "1000");
        d.put("overhead-measured", "21");
        d.put("synthetic-seeds", "1,2,3,4,5,6,7,8,9,10");
        d.put("stn-data", "embedded");
        d.put("stn-train-per-class", "500");
        d.put("stn-test-per-class", "200");
        d.put("stn-hidden", "256,256");
        d.put("stn-epochs", "5");
        d.put("stn-batch", "128");
        d.put("stn-dropouts", "0.05,0.2,0.5");
        d.put("stn-l2s", "1e-5,1e-4,1e-3");
        d.put("stn-seeds", "1");
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String name() {
        return "hpo";
    }

    @Override
    public String description() {
        return "learning-rate robustness of Adam vs Adam-HD, FedHyper vs FedAvg, Step Law values, PBT vs random search, "
                + "random/TPE/GP/ASHA search, Self-Tuning Networks vs a fixed grid (--parts a,b,c,d,e,f --examples N --epochs N --rounds N --clients N --rates ... --data DIR)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        BenchmarkOptions options = new BenchmarkOptions(args, DEFAULTS);
        List<String> parts = options.list("parts");
        for (String part : parts) {
            if (!List.of("a", "b", "c", "d", "e", "f").contains(part)) {
                throw new IllegalArgumentException("--parts takes a, b, c, d, e and f, found '" + part + "'");
            }
        }
        String data = options.string("data");
        double[] rates = parseRates(options.list("rates"));
        long seed = options.longValue("seed");
        int examples = options.integer("examples");
        int heldOutSize = options.integer("held-out");
        int epochs = options.integer("epochs");
        int batch = options.integer("batch");
        int evaluateEvery = options.integer("eval-every");
        double target = options.real("target");
        double beta = options.real("beta");
        double maxRate = options.real("max-lr");
        HypergradientRule rule = parseRule(options.string("rule"));
        int fedExamples = options.integer("fed-examples");
        int[] fedSizes = {options.integer("rounds"), options.integer("clients"), options.integer("local-epochs"),
            options.integer("local-batch")};
        double fraction = options.real("fraction");
        double alpha = options.real("alpha");
        double fedTarget = options.real("fed-target");
        List<String> schedulers = options.list("schedulers");

        ObjectMapper mapper = new ObjectMapper();
        NetworkSpec cnn = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
        String images = Paths.get(data, "train-images-idx3-ubyte.gz").toString();
        String labels = Paths.get(data, "train-labels-idx1-ubyte.gz").toString();
        String testImages = Paths.get(data, "t10k-images-idx3-ubyte.gz").toString();
        String testLabels = Paths.get(data, "t10k-labels-idx1-ubyte.gz").toString();
        TensorDataset heldOut = IDXTensors.load(testImages, testLabels, heldOutSize);

        if (parts.contains("a")) {
            TensorDataset train = IDXTensors.load(images, labels, examples);
            LearningRateRobustness robustness = new LearningRateRobustness(cnn, CLASSES, train, heldOut, epochs, batch,
                    evaluateEvery, target, seed);
            List<Double> adam = new ArrayList<>();
            List<Double> adamHd = new ArrayList<>();
            for (double rate : rates) {
                ObjectNode fixed = robustness.run("adam", new AdamOptimiserFactory(rate), rate, mapper);
                out.println(fixed);
                adam.add(fixed.get("final_accuracy").asDouble());
                AdamHDOptimiserFactory hd = new AdamHDOptimiserFactory(new HypergradientSettings(rate, beta, rule, 0.0,
                        Math.max(maxRate, rate)), HypergradientSettings.Adam.DEFAULT);
                ObjectNode adapted = robustness.run("adam-hd", hd, rate, mapper);
                out.println(adapted);
                adamHd.add(adapted.get("final_accuracy").asDouble());
            }
            out.println(spread(mapper, "adam", adam));
            out.println(spread(mapper, "adam-hd", adamHd));
        }
        if (parts.contains("b")) {
            MutableDataset<Label> train = new MutableDataset<>(new IDXImageDataSource(images, labels,
                    Collections.emptyList(), Collections.emptyList(), Math.max(1, fedExamples / CLASSES)));
            TensorDataset test = TensorDataset.from(new IDXImageDataSource(testImages, testLabels, Collections.emptyList(),
                    Collections.emptyList(), Math.max(1, heldOutSize / CLASSES)),
                    new FeatureTensorizer(train.getFeatureIDMap(), cnn.inputShape()), train.getOutputIDInfo());
            GlobalScheduler global = schedulers.contains("GM") ? GlobalScheduler.GM
                    : schedulers.contains("G") ? GlobalScheduler.G : GlobalScheduler.NONE;
            FedHyperComparison comparison = new FedHyperComparison(cnn, train, test, fedSizes, fraction, alpha, fedTarget,
                    seed, global, schedulers.contains("SL"), schedulers.contains("CL"));
            int faster = 0;
            for (double rate : rates) {
                ObjectNode fedAvg = comparison.run(false, rate, mapper);
                out.println(fedAvg);
                ObjectNode fedHyper = comparison.run(true, rate, mapper);
                out.println(fedHyper);
                ObjectNode versus = compare(mapper, comparison.schedulers(), rate, fedAvg, fedHyper);
                out.println(versus);
                faster += versus.get("fedhyper_faster").asBoolean() ? 1 : 0;
            }
            out.println(mapper.createObjectNode().put("benchmark", "hpo").put("part", "federated-summary")
                    .put("schedulers", comparison.schedulers()).put("rates", rates.length).put("fedhyper_faster_at", faster));
        }
        if (parts.contains("c")) {
            stepLaw(mapper, out, cnn, examples, epochs, batch);
        }
        if (parts.contains("d")) {
            pbt(options, mapper, out, data);
        }
        if (parts.contains("e")) {
            search(options, mapper, out);
        }
        if (parts.contains("f")) {
            selfTuning(options, mapper, out);
        }
    }

    private static final String EMBEDDED = "classpath:org/tribuoadapt/examples/fashion-mnist-sample/";

    private static void search(BenchmarkOptions options, ObjectMapper mapper, PrintStream out) throws IOException {
        String data = options.string("search-data");
        List<String> images = StudyConfigFile.fashionMnist(data.equals("embedded") ? EMBEDDED : data);
        Path directory = Files.createTempDirectory("bench-search");
        SearchComparison comparison = new SearchComparison(directory, images, options.integer("search-train-per-class"),
                options.integer("search-valid-per-class"), options.integer("search-epochs"), options.integer("search-trials"));
        for (String seed : options.list("search-seeds")) {
            for (String method : options.list("search-methods")) {
                out.println(comparison.run(method, Long.parseLong(seed), mapper));
            }
        }
        comparison.overhead(options.integer("overhead-finished"), options.integer("overhead-measured"), mapper)
                .forEach(out::println);
        comparison.syntheticQuality(options.list("synthetic-seeds").stream().map(Long::parseLong).toList(), mapper)
                .forEach(out::println);
        deleteDirectory(directory);
    }

    private static void selfTuning(BenchmarkOptions options, ObjectMapper mapper, PrintStream out) throws IOException {
        String data = options.string("stn-data");
        String prefix = data.equals("embedded") ? EMBEDDED : Paths.get(data).toString() + "/";
        int[] hidden = options.list("stn-hidden").stream().mapToInt(Integer::parseInt).toArray();
        StnComparison comparison = new StnComparison(prefix, options.integer("stn-train-per-class"),
                options.integer("stn-test-per-class"), hidden, options.integer("stn-epochs"),
                options.integer("stn-batch"));
        List<String> dropouts = options.list("stn-dropouts");
        List<String> l2s = options.list("stn-l2s");
        for (String seedText : options.list("stn-seeds")) {
            long seed = Long.parseLong(seedText);
            ObjectNode stn = comparison.run(0.05, 1e-4, true, seed, mapper);
            out.println(stn);
            double best = 0;
            double mean = 0;
            for (String dropout : dropouts) {
                for (String l2 : l2s) {
                    ObjectNode fixed = comparison.run(Double.parseDouble(dropout), Double.parseDouble(l2), false, seed,
                            mapper);
                    out.println(fixed);
                    best = Math.max(best, fixed.get("test_accuracy").asDouble());
                    mean += fixed.get("test_accuracy").asDouble() / (dropouts.size() * l2s.size());
                }
            }
            out.println(mapper.createObjectNode().put("benchmark", "hpo").put("part", "stn-summary").put("seed", seed)
                    .put("stn_accuracy", stn.get("test_accuracy").asDouble()).put("grid_best_accuracy", best)
                    .put("grid_mean_accuracy", mean).put("grid_points", dropouts.size() * l2s.size()));
        }
    }

    private static void deleteDirectory(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    private static void pbt(BenchmarkOptions options, ObjectMapper mapper, PrintStream out, String data) throws IOException {
        Path directory = Files.createTempDirectory("bench-pbt");
        PbtComparison comparison = new PbtComparison(directory, data, options.integer("pbt-train-per-class"),
                options.integer("pbt-valid-per-class"), options.integer("pbt-hidden"), options.integer("pbt-population"),
                options.integer("pbt-interval"), options.integer("pbt-intervals"));
        List<Double> pbt = new ArrayList<>();
        List<Double> random = new ArrayList<>();
        for (String seed : options.list("pbt-seeds")) {
            ObjectNode p = comparison.pbt(Long.parseLong(seed), mapper);
            out.println(p);
            pbt.add(p.get("best_validation_accuracy").asDouble());
            ObjectNode r = comparison.random(Long.parseLong(seed), directory, mapper);
            out.println(r);
            random.add(r.get("best_validation_accuracy").asDouble());
        }
        out.println(mapper.createObjectNode().put("benchmark", "hpo").put("part", "pbt-summary").put("seeds", pbt.size())
                .put("pbt_mean_accuracy", pbt.stream().mapToDouble(Double::doubleValue).average().orElseThrow())
                .put("random_mean_accuracy", random.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        deleteDirectory(directory);
    }

    private static HypergradientRule parseRule(String name) {
        switch (name) {
            case "additive":
                return HypergradientRule.ADDITIVE;
            case "multiplicative":
                return HypergradientRule.MULTIPLICATIVE;
            default:
                throw new IllegalArgumentException("--rule must be additive or multiplicative, found '" + name + "'");
        }
    }

    private static double[] parseRates(List<String> parts) {
        double[] out = new double[parts.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Double.parseDouble(parts.get(i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rates takes comma-separated numbers, found '" + parts.get(i) + "'");
            }
            if (!(out[i] > 0) || Double.isInfinite(out[i])) {
                throw new IllegalArgumentException("--rates must be positive and finite, found " + out[i]);
            }
        }
        return out;
    }

    private static ObjectNode spread(ObjectMapper mapper, String optimiser, List<Double> accuracies) {
        double min = Collections.min(accuracies);
        double max = Collections.max(accuracies);
        return mapper.createObjectNode().put("benchmark", "hpo").put("part", "robustness-summary")
                .put("optimiser", optimiser).put("min_accuracy", min).put("max_accuracy", max)
                .put("spread_points", 100 * (max - min));
    }

    private static ObjectNode compare(ObjectMapper mapper, String schedulers, double rate, ObjectNode fedAvg, ObjectNode fedHyper) {
        ObjectNode json = mapper.createObjectNode().put("benchmark", "hpo").put("part", "federated-comparison")
                .put("schedulers", schedulers).put("initial_lr", rate);
        json.set("fedavg_final", fedAvg.get("final_accuracy"));
        json.set("fedhyper_final", fedHyper.get("final_accuracy"));
        boolean faster = false;
        if (!fedAvg.get("final_accuracy").isNull()) {
            double level = fedAvg.get("final_accuracy").asDouble();
            int fedAvgRounds = FedHyperComparison.firstRoundReaching(fedAvg, level);
            int fedHyperRounds = FedHyperComparison.firstRoundReaching(fedHyper, level);
            json.put("fedavg_rounds_to_fedavg_final", fedAvgRounds);
            if (fedHyperRounds == 0) {
                json.putNull("fedhyper_rounds_to_fedavg_final");
            } else {
                json.put("fedhyper_rounds_to_fedavg_final", fedHyperRounds);
            }
            faster = fedHyperRounds > 0 && fedHyperRounds < fedAvgRounds;
        } else {
            faster = !fedHyper.get("final_accuracy").isNull();
        }
        return json.put("fedhyper_faster", faster);
    }

    private static void stepLaw(ObjectMapper mapper, PrintStream out, NetworkSpec cnn, int examples, int epochs, int batch) {
        StepLaw law = new StepLaw();
        double[][] worked = {{119e6, 7e9, 3.29e-3, 242_649}, {1e9, 100e9, 1.63e-3, 1_107_715}};
        for (double[] w : worked) {
            out.println(mapper.createObjectNode().put("benchmark", "hpo").put("part", "steplaw").put("case", "paper")
                    .put("n", w[0]).put("d_tokens", w[1]).put("eta", law.learningRate(w[0], w[1]))
                    .put("batch_tokens", law.batchSize(w[1])).put("paper_eta", w[2]).put("paper_batch_tokens", w[3]));
        }
        long n;
        try (Network network = cnn.build(CLASSES, 0L)) {
            n = network.countWeights(true);
        }
        double d = (double) examples * epochs;
        out.println(mapper.createObjectNode().put("benchmark", "hpo").put("part", "steplaw").put("case", "robustness-cnn")
                .put("n", n).put("d_examples", d).put("eta", law.learningRate(n, d))
                .put("batch_examples", law.batchSize(d)).put("batch_used", batch)
                .put("note", "D counted in examples (images seen); an extrapolation outside transformer language models"));
    }
}
