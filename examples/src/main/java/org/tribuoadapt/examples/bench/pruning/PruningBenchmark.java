package org.tribuoadapt.examples.bench.pruning;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.pruning.LinearModeConnectivity;
import org.tribuoadapt.core.pruning.LoadTemperature;
import org.tribuoadapt.core.pruning.MagnitudePruning;
import org.tribuoadapt.core.pruning.PruningMask;
import org.tribuoadapt.core.pruning.PruningScope;
import org.tribuoadapt.core.pruning.PruningTrainer;
import org.tribuoadapt.core.pruning.ThreeRegimeDiagnostics;
import org.tribuoadapt.core.pruning.ThreeRegimeModel;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportFiles;
import org.tribuoadapt.report.ReportWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench pruning}: the load-temperature sweep of the three-regime model of pruning (Zhou, Yang, Chang and
 * Mahoney, ICML 2023) on the embedded Fashion-MNIST sample. For every temperature (the dense training's plain-SGD
 * learning rate over its batch size, {@code --lrs} (0.01,0.03,0.1,0.3) times {@code --batches} (32)) an MLP
 * 784-{@code --hidden}-10 (64) is trained for {@code --epochs} (5); for every pruning ratio ({@code --ratios}, the load; 0.5,0.8,0.9,0.95,0.98) it is
 * pruned by magnitude ({@code --scope}, layer-wise by default) and retrained twice with the mask fixed
 * ({@code --retrain-epochs} (2) of SGD with momentum 0.9 at {@code --retrain-lr} (0.05), batch 64, seeds {@code --seed} + 1 and + 2). Each cell prints one JSON line: the
 * test accuracy before pruning, after pruning and after retraining, the linear mode connectivity of the two retrained
 * networks (training error at 11 points), the CKA of their softmax outputs, the regime and the paper's prediction
 * (raising the temperature helps in Regime I only) against what the next-higher temperature at the same load did.
 * A summary line follows. With {@code --out DIR} the phase plot is written as {@code report.html} and
 * {@code report.json}. Options: {@code --examples N} (2000 training images; 0 for all 8,000), {@code --cka-threshold X}
 * (0.95), {@code --tolerance X} (0.0025: {@code mc} must fall below -0.0025, five of the 2,000 training images, to
 * count as a barrier, so that single flipped predictions are not read as one; 0 is the paper's sign rule).
 */
public final class PruningBenchmark implements BenchmarkCommand {

    @Override
    public String name() {
        return "pruning";
    }

    @Override
    public String description() {
        return "three-regime phase plot of magnitude pruning over load (ratio) and temperature (lr / batch) "
                + "(--ratios --lrs --batches --epochs --retrain-epochs --retrain-lr --hidden --examples --scope "
                + "--cka-threshold --tolerance --seed --out DIR)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.ofEntries(Map.entry("ratios", "0.5,0.8,0.9,0.95,0.98"),
                Map.entry("lrs", "0.01,0.03,0.1,0.3"), Map.entry("batches", "32"), Map.entry("epochs", "5"),
                Map.entry("retrain-epochs", "2"), Map.entry("retrain-lr", "0.05"), Map.entry("hidden", "64"),
                Map.entry("examples", "2000"), Map.entry("scope", "LAYER_WISE"), Map.entry("cka-threshold", "0.95"),
                Map.entry("tolerance", "0.0025"), Map.entry("seed", "1"), Map.entry("out", "")));
        List<Double> ratios = options.list("ratios").stream().map(Double::parseDouble).toList();
        PruningScope scope = PruningScope.valueOf(options.string("scope"));
        ThreeRegimeDiagnostics diagnostics = new ThreeRegimeDiagnostics(new ThreeRegimeModel(options.real("cka-threshold"),
                options.real("tolerance")), ThreeRegimeDiagnostics.DEFAULT_POINTS, LinearModeConnectivity.PathMetric.ERROR);
        String outDir = options.string("out");
        if (!outDir.isEmpty()) {
            ReportWriter.prepare(Path.of(outDir), false);
        }
        long seed = options.longValue("seed");
        MutableDataset<Label> train = EmbeddedSample.load("train", options.integer("examples"));
        MutableDataset<Label> test = EmbeddedSample.load("t10k", 0);
        MLPSpec spec = new MLPSpec(28 * 28, new int[] {options.integer("hidden")}, Activation.RELU, 0.0);
        SGDOptimiserFactory retrainOptimiser = new SGDOptimiserFactory(options.real("retrain-lr"), 0.9, false, 0.0);
        ObjectMapper mapper = new ObjectMapper();
        List<PhaseCell> cells = new ArrayList<>();
        Map<String, NetworkModel> denseModels = new LinkedHashMap<>();
        for (int batch : options.integers("batches")) {
            for (String lrText : options.list("lrs")) {
                double lr = Double.parseDouble(lrText);
                NetworkModel dense = new NetworkTrainer(spec, new SGDOptimiserFactory(lr, 0.0, false, 0.0),
                        options.integer("epochs"), batch, seed).train(train);
                denseModels.put("dense lr=" + lr + " batch=" + batch, dense);
                double denseAccuracy = accuracy(dense, test);
                for (double ratio : ratios) {
                    LoadTemperature point = LoadTemperature.of(ratio, lr, batch);
                    MagnitudePruning pruning = new MagnitudePruning(ratio, scope);
                    double prunedAccuracy = prunedAccuracy(dense, pruning, test);
                    NetworkModel first = retrain(pruning, retrainOptimiser, options, seed + 1, train, dense);
                    NetworkModel second = retrain(pruning, retrainOptimiser, options, seed + 2, train, dense);
                    double retrained = (accuracy(first, test) + accuracy(second, test)) / 2;
                    cells.add(new PhaseCell(point, lr, batch, denseAccuracy, prunedAccuracy, retrained,
                            diagnostics.diagnose(first, second, train)));
                }
            }
        }
        long prunable = prunableWeights(denseModels.values().iterator().next());
        int agree = 0;
        int observable = 0;
        Map<String, Integer> regimes = new LinkedHashMap<>();
        for (PhaseCell cell : cells) {
            ObjectNode json = cellJson(mapper, cell, train.size(), prunable, options);
            Boolean observed = PhasePlot.raisingTemperatureHelped(cell, cells);
            if (observed == null) {
                json.putNull("observed_raising_temperature_helps");
            } else {
                json.put("observed_raising_temperature_helps", observed);
                observable++;
                agree += observed == cell.diagnosis().regime().raisingTemperatureHelps() ? 1 : 0;
            }
            regimes.merge(cell.diagnosis().regime().label(), 1, Integer::sum);
            out.println(json);
        }
        ObjectNode summary = mapper.createObjectNode().put("benchmark", "pruning").put("summary", true)
                .put("cells", cells.size()).put("prediction_checked", observable).put("prediction_agrees", agree);
        regimes.forEach((regime, count) -> summary.put("regime_" + regime, count));
        summary.put("retraining_helped", cells.stream().filter(PhaseCell::retrainingHelped).count());
        out.println(summary);
        if (!outDir.isEmpty()) {
            Report.Builder report = Report.builder("Three-regime model of pruning: load-temperature sweep")
                    .addSection(PhasePlot.section(cells, options.toString()));
            denseModels.forEach((name, model) -> report.addProvenance(name, model.getProvenance()));
            ReportFiles files = ReportWriter.write(report.build(), Path.of(outDir));
            System.err.println("wrote " + files.html());
        }
    }

    private static NetworkModel retrain(MagnitudePruning pruning, SGDOptimiserFactory optimiser, BenchmarkOptions options,
                                        long seed, MutableDataset<Label> train, NetworkModel dense) {
        return new PruningTrainer(pruning, optimiser, options.integer("retrain-epochs"), 64, seed).train(train, dense);
    }

    private static double accuracy(NetworkModel model, MutableDataset<Label> test) {
        return new LabelEvaluator().evaluate(model, test).accuracy();
    }

    private static double prunedAccuracy(NetworkModel dense, MagnitudePruning pruning, MutableDataset<Label> test) {
        TensorDataset data = TensorDataset.from(test, dense.tensorizer(), dense.getOutputIDInfo());
        try (Network network = dense.newNetwork()) {
            PruningMask mask = pruning.maskFor(network);
            mask.apply(network);
            return Evaluation.lossAndAccuracy(network, data)[1];
        }
    }

    private static long prunableWeights(NetworkModel model) {
        try (Network network = model.newNetwork()) {
            return new MagnitudePruning(0.0, PruningScope.GLOBAL).maskFor(network).totalCount();
        }
    }

    private static ObjectNode cellJson(ObjectMapper mapper, PhaseCell cell, int examples, long prunable,
                                       BenchmarkOptions options) {
        ThreeRegimeDiagnostics.Diagnosis d = cell.diagnosis();
        ObjectNode json = mapper.createObjectNode().put("benchmark", "pruning")
                .put("ratio", cell.point().pruningRatio()).put("density", round(cell.point().density()))
                .put("examples_per_weight", round(cell.point().examplesPerWeight(examples, prunable)))
                .put("lr", cell.learningRate()).put("batch", cell.batchSize())
                .put("temperature", cell.point().temperature()).put("scope", options.string("scope"))
                .put("dense_accuracy", round(cell.denseAccuracy())).put("pruned_accuracy", round(cell.prunedAccuracy()))
                .put("retrained_accuracy", round(cell.retrainedAccuracy()))
                .put("retraining_helped", cell.retrainingHelped())
                .put("mode_connectivity", round(d.modeConnectivity())).put("cka", round(d.cka()))
                .put("regime", d.regime().label())
                .put("predicted_raising_temperature_helps", d.regime().raisingTemperatureHelps());
        ArrayNode path = json.putArray("train_error_path");
        for (double v : d.curve().values()) {
            path.add(round(v));
        }
        return json;
    }

    static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }
}
