package org.tribuoadapt.examples.bench.bonsai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.Dataset;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.data.SpuriousBackgroundDataSource;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.richfeatures.RichFeatureTrainer;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench bonsai}: Bonsai's rich feature construction (Zhang, Lopez-Paz and Bottou 2022) as the initialisation
 * of an out-of-distribution run, against a plain random initialisation. The data is the embedded Fashion-MNIST sample
 * with a spurious background ({@link SpuriousBackgroundDataSource}): in training the background's grey level names
 * the class with probability {@code --correlation} (0.9); the in-distribution test set has the same correlation, the
 * anti-correlated one never names the class. Both networks (an MLP 784-128-64-10) are then trained by ERM on the
 * spurious training set for {@code --epochs} epochs ("plain" from random weights, "bonsai" by fine-tuning the
 * synthesised representation with a fresh head), and tested on both test sets. One JSON line per run, then one with
 * the medians over the seeds. Options: {@code --seeds 1,2,3}, {@code --epochs N} (3), {@code --rounds K} (2),
 * {@code --discovery-epochs N} (3), {@code --synthesis-epochs N} (3), {@code --per-class N} (training images per
 * class, 300), {@code --correlation P} (0.9), {@code --group-step X} (1.0), {@code --batch N} (64).
 */
public final class BonsaiBenchmark implements BenchmarkCommand {

    private static final double MAX_INTENSITY = 0.5;

    @Override
    public String name() {
        return "bonsai";
    }

    @Override
    public String description() {
        return "Bonsai rich-feature initialisation vs plain on spurious-background Fashion-MNIST, tested anti-correlated "
                + "(--seeds 1,2,3 --epochs N --rounds K --discovery-epochs N --synthesis-epochs N --per-class N "
                + "--correlation P --group-step X --batch N)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("seeds", "1,2,3", "epochs", "3", "rounds", "2",
                "discovery-epochs", "3", "synthesis-epochs", "3", "per-class", "300", "correlation", "0.9",
                "group-step", "1.0", "batch", "64"));
        int epochs = options.integer("epochs");
        int rounds = options.integer("rounds");
        int batch = options.integer("batch");
        double correlation = options.real("correlation");
        ObjectMapper mapper = new ObjectMapper();
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        for (String seedText : options.string("seeds").split(",")) {
            long seed = Long.parseLong(seedText.trim());
            MutableDataset<Label> train = CheckedDatasets.load(new SpuriousBackgroundDataSource(
                    EmbeddedSample.source("train", options.integer("per-class")), correlation, MAX_INTENSITY, 0.0, seed));
            MutableDataset<Label> inDistribution = CheckedDatasets.load(new SpuriousBackgroundDataSource(
                    EmbeddedSample.source("t10k", 0), correlation, MAX_INTENSITY, 0.0, seed + 1000));
            MutableDataset<Label> antiCorrelated = CheckedDatasets.load(new SpuriousBackgroundDataSource(
                    EmbeddedSample.source("t10k", 0), 0.0, MAX_INTENSITY, 0.0, seed + 2000));
            NetworkTrainer erm = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.001), epochs, batch, seed);

            long start = System.nanoTime();
            NetworkModel plain = erm.train(train);
            report(out, mapper, figures, "plain", seed, train, plain, inDistribution, antiCorrelated,
                    (System.nanoTime() - start) / 1e9, 0);

            start = System.nanoTime();
            NetworkModel initialisation = new RichFeatureTrainer(mlp(), new AdamOptimiserFactory(0.001), rounds,
                    options.integer("discovery-epochs"), options.integer("synthesis-epochs"), batch,
                    options.real("group-step"), seed).train(train);
            double constructionSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            NetworkModel bonsai = erm.fineTune(train, initialisation, Collections.emptyMap());
            report(out, mapper, figures, "bonsai", seed, train, bonsai, inDistribution, antiCorrelated,
                    (System.nanoTime() - start) / 1e9, constructionSeconds);
        }
        ObjectNode summary = mapper.createObjectNode().put("benchmark", "bonsai").put("summary", "median over seeds")
                .put("correlation", correlation).put("rounds", rounds).put("epochs", epochs);
        figures.forEach((name, values) -> summary.put(name + "_median", round(median(values))));
        out.println(summary.toString());
    }

    static MLPSpec mlp() {
        return new MLPSpec(28 * 28, new int[] {128, 64}, Activation.RELU, 0.0);
    }

    private static void report(PrintStream out, ObjectMapper mapper, Map<String, List<Double>> figures, String method,
                               long seed, Dataset<Label> train, NetworkModel model, Dataset<Label> inDistribution,
                               Dataset<Label> antiCorrelated, double trainSeconds, double constructionSeconds) {
        LabelEvaluator evaluator = new LabelEvaluator();
        double trainAccuracy = evaluator.evaluate(model, train).accuracy();
        double inAccuracy = evaluator.evaluate(model, inDistribution).accuracy();
        double antiAccuracy = evaluator.evaluate(model, antiCorrelated).accuracy();
        figures.computeIfAbsent(method + "_in_distribution_accuracy", k -> new ArrayList<>()).add(inAccuracy);
        figures.computeIfAbsent(method + "_anti_correlated_accuracy", k -> new ArrayList<>()).add(antiAccuracy);
        out.println(mapper.createObjectNode().put("benchmark", "bonsai").put("initialisation", method).put("seed", seed)
                .put("train_examples", train.size()).put("train_accuracy", round(trainAccuracy))
                .put("in_distribution_accuracy", round(inAccuracy)).put("anti_correlated_accuracy", round(antiAccuracy))
                .put("construction_seconds", Math.round(constructionSeconds * 10) / 10.0)
                .put("train_seconds", Math.round(trainSeconds * 10) / 10.0).toString());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }
}
