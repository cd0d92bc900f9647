package org.tribuoadapt.examples.bench.tta;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.method.eata.Eata;
import org.tribuoadapt.tta.method.sar.Sar;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.selection.HyperparameterSelection;
import org.tribuoadapt.tta.selection.SelectionResult;
import org.tribuoadapt.tta.selection.SelectionRow;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench tta-selection}: the realistic (unsupervised) hyperparameter selection of SKADA-Bench (Lalou et al.
 * 2024) for Tent, EATA and SAR on a corrupted stream of the embedded Fashion-MNIST sample. A CNN (conv 32 and 64
 * with BatchNorm, pooling, hidden 128) is trained on the first training images; the next training images are the
 * labelled source validation set; the test images are corrupted into a continual stream. For each method, every
 * learning rate of the grid is replayed, and each scorer (IWCV, DEV, SND, prediction entropy, circular validation)
 * picks one without target labels; one JSON line per method gives every configuration's accuracy and scores, and
 * per scorer the accuracy of its choice against the oracle's.
 * <p>
 * Options (defaults in brackets): {@code --train-examples} [2000], {@code --validation-examples} [500],
 * {@code --epochs} [2], {@code --examples} test images per domain [150], {@code --corruptions}
 * [gaussian_noise,defocus_blur,fog,contrast], {@code --severities} [5], {@code --batch-size} [64],
 * {@code --methods} [tent,eata,sar], {@code --learning-rates} [1e-4,1e-3,1e-2,1e-1] (Adam for Tent and EATA, SGD
 * with momentum 0.9 for SAR, their papers' optimisers), {@code --seed} [1].
 */
public final class TtaSelectionBenchmark implements BenchmarkCommand {

    private static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("train-examples", "2000");
        d.put("validation-examples", "500");
        d.put("epochs", "2");
        d.put("examples", "150");
        d.put("corruptions", "gaussian_noise,defocus_blur,fog,contrast");
        d.put("severities", "5");
        d.put("batch-size", "64");
        d.put("methods", "tent,eata,sar");
        d.put("learning-rates", "1e-4,1e-3,1e-2,1e-1");
        d.put("seed", "1");
        return Collections.unmodifiableMap(d);
    }

    /**
     * Creates the command.
     */
    public TtaSelectionBenchmark() {}

    @Override
    public String name() {
        return "tta-selection";
    }

    @Override
    public String description() {
        return "unsupervised hyperparameter selection (IWCV, DEV, SND, entropy, circular) for Tent, EATA and SAR "
                + "against the oracle, on a corrupted stream of the embedded sample; options --"
                + String.join(", --", DEFAULTS.keySet());
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, DEFAULTS);
        int trainExamples = options.integer("train-examples");
        int validationExamples = options.integer("validation-examples");
        int epochs = options.integer("epochs");
        List<String> methods = options.list("methods");
        List<Double> learningRates = new ArrayList<>();
        for (String rate : options.list("learning-rates")) {
            try {
                learningRates.add(Double.parseDouble(rate));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--learning-rates needs numbers, found '" + rate + "'");
            }
        }
        long seed = options.longValue("seed");
        CorruptionScenario scenario = new CorruptionScenario(options.list("corruptions"), options.integers("severities"),
                StreamMode.CONTINUAL, options.integer("batch-size"), 0.0, options.integer("examples"), seed);
        List<List<HyperparameterSelection.Candidate>> grids = new ArrayList<>();
        for (String method : methods) {
            grids.add(grid(method, learningRates));
        }
        if (trainExamples < 1 || validationExamples < 1) {
            throw new IllegalArgumentException("--train-examples and --validation-examples must be at least 1");
        }
        ObjectMapper json = new ObjectMapper();
        long started = System.nanoTime();
        MutableDataset<Label> all = EmbeddedSample.load("train", trainExamples + validationExamples);
        if (all.size() < trainExamples + validationExamples) {
            throw new IllegalArgumentException("the embedded sample has " + all.size() + " training images, fewer than "
                    + "--train-examples + --validation-examples");
        }
        MutableDataset<Label> train = new MutableDataset<>(all.getProvenance(), all.getOutputFactory());
        MutableDataset<Label> validation = new MutableDataset<>(all.getProvenance(), all.getOutputFactory());
        for (int i = 0; i < all.size(); i++) {
            (i < trainExamples ? train : validation).add(all.getExample(i));
        }
        MutableDataset<Label> test = EmbeddedSample.load("t10k", 0);
        CNNSpec spec = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
        NetworkModel model = new NetworkTrainer(spec, new AdamOptimiserFactory(1e-3), epochs, 64, seed).train(train);
        Map<String, Object> modelLine = new LinkedHashMap<>();
        modelLine.put("bench", "tta-selection");
        modelLine.put("event", "source-model");
        modelLine.put("trainExamples", train.size());
        modelLine.put("validationExamples", validation.size());
        modelLine.put("seconds", (System.nanoTime() - started) / 1e9);
        modelLine.put("cleanTestAccuracy", new LabelEvaluator().evaluate(model, test).accuracy());
        out.println(json.writeValueAsString(modelLine));
        HyperparameterSelection selection = new HyperparameterSelection(new TtaEvaluator(scenario));
        for (int m = 0; m < methods.size(); m++) {
            long start = System.nanoTime();
            SelectionResult result = selection.select(model, test, train, validation, grids.get(m));
            out.println(json.writeValueAsString(line(methods.get(m), result, (System.nanoTime() - start) / 1e9)));
            out.flush();
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("bench", "tta-selection");
        done.put("event", "done");
        done.put("totalSeconds", (System.nanoTime() - started) / 1e9);
        out.println(json.writeValueAsString(done));
    }

    private static Map<String, Object> line(String method, SelectionResult result, double seconds) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("bench", "tta-selection");
        line.put("method", method);
        line.put("settings", result.settings());
        line.put("accuracies", result.evaluations().stream().map(TtaEvaluation::accuracy).toList());
        line.put("sourceAccuracy", result.source().accuracy());
        line.put("oracleSetting", result.settings().get(result.oracleIndex()));
        line.put("oracleAccuracy", result.evaluations().get(result.oracleIndex()).accuracy());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (SelectionRow row : result.rows()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("scorer", row.scorer());
            r.put("chosenSetting", row.chosenSetting());
            r.put("chosenAccuracy", row.chosenAccuracy());
            r.put("regret", row.regret());
            r.put("scores", result.scores(row.scorer()));
            rows.add(r);
        }
        line.put("scorers", rows);
        line.put("seconds", seconds);
        return line;
    }

    /** The learning-rate grid of a method, with its paper's optimiser and otherwise default settings. */
    private static List<HyperparameterSelection.Candidate> grid(String method, List<Double> learningRates) {
        List<HyperparameterSelection.Candidate> grid = new ArrayList<>();
        for (double lr : learningRates) {
            String setting = "lr=" + lr;
            switch (method) {
                case Tent.NAME -> grid.add(new HyperparameterSelection.Candidate(setting,
                        new Tent(new AdamOptimiserFactory(lr), 1, List.of(), false)));
                case Eata.NAME -> grid.add(new HyperparameterSelection.Candidate(setting,
                        new Eata(new AdamOptimiserFactory(lr), 0.4, 0.4, 1.0, 2000, List.of(), false)));
                case Sar.NAME -> grid.add(new HyperparameterSelection.Candidate(setting,
                        new Sar(new SGDOptimiserFactory(lr, 0.9, false, 0.0), 0.05, 0.4, 0.2, List.of(), false)));
                default -> throw new IllegalArgumentException("unknown method '" + method
                        + "'; the selection benchmark tunes tent, eata and sar");
            }
        }
        return grid;
    }
}
