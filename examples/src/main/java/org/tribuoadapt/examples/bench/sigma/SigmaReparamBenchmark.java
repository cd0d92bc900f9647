package org.tribuoadapt.examples.bench.sigma;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.AttentionEntropyMonitor;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;
import org.tribuoadapt.report.Report;
import org.tribuoadapt.report.ReportWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench sigma-reparam}: a ViT (patch 7, width 64, depth 4, 4 heads, MLP 128) trained with Adam and no warm-up
 * on the embedded Fashion-MNIST sample, plain and with σReparam on every fully connected layer (Zhai et al. 2023), for
 * each seed. One JSON line per run: test accuracy and, per epoch, the mean and the lowest per-head attention entropy
 * over the epoch's training passes. Options: {@code --lr X} (0.1), {@code --seeds 1,2,3}, {@code --epochs N} (3),
 * {@code --batch N} (128), {@code --examples N} (the first N training images; 0, the default, for all 8,000),
 * {@code --test-examples N} (the first N test images; 0, the default, for all 2,000),
 * {@code --report DIR} (also write {@code report.json} and {@code report.html} into a new folder: per seed, an
 * {@link AttentionEntropyReport} section with the per-head entropy curves of both runs).
 */
public final class SigmaReparamBenchmark implements BenchmarkCommand {

    @Override
    public String name() {
        return "sigma-reparam";
    }

    @Override
    public String description() {
        return "σReparam against a plain ViT without warm-up: accuracy and attention entropy per epoch "
                + "(--lr X --seeds 1,2,3 --epochs N --batch N --examples N --test-examples N --report DIR)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("lr", "0.1", "seeds", "1,2,3", "epochs", "3",
                "batch", "128", "examples", "0", "test-examples", "0", "report", ""));
        Path reportDir = options.string("report").isEmpty() ? null : Path.of(options.string("report"));
        if (reportDir != null) {
            ReportWriter.prepare(reportDir, false);
        }
        double lr = options.real("lr");
        int epochs = options.integer("epochs");
        int batch = options.integer("batch");
        MutableDataset<Label> train = EmbeddedSample.load("train", options.integer("examples"));
        MutableDataset<Label> test = EmbeddedSample.load("t10k", options.integer("test-examples"));
        TransformerSpec plain = TransformerSpec.forImages(1, 28, 28, 7, 64, 4, 4, 128);
        Report.Builder report = Report.builder("σReparam against a plain ViT without warm-up (lr " + lr + ")");
        for (String seedText : options.string("seeds").split(",")) {
            long seed = Long.parseLong(seedText.trim());
            Map<String, List<Map<String, double[]>>> entropies = new LinkedHashMap<>();
            for (TransformerSpec spec : List.of(plain, plain.withSpectralReparam())) {
                AttentionEntropyMonitor monitor = new AttentionEntropyMonitor(TrainingListener.NONE);
                out.println(measure(spec, lr, epochs, batch, seed, train, test, monitor));
                entropies.put(spec == plain ? "plain" : "σReparam", monitor.perEpoch());
            }
            report.addSection(AttentionEntropyReport.section("Attention entropy, seed " + seed, entropies));
        }
        if (reportDir != null) {
            ReportWriter.write(report.build(), reportDir);
        }
    }

    private static String measure(TransformerSpec spec, double lr, int epochs, int batch, long seed,
                                  MutableDataset<Label> train, MutableDataset<Label> test, AttentionEntropyMonitor monitor) {
        NetworkTrainer trainer = new NetworkTrainer(spec, new AdamOptimiserFactory(lr), epochs, batch, seed);
        trainer.setListener(monitor);
        long start = System.nanoTime();
        NetworkModel model = trainer.train(train);
        double seconds = (System.nanoTime() - start) / 1e9;
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("benchmark", "sigma-reparam").put("spectral_reparam", spec.toString().contains("spectralReparam"))
                .put("lr", lr).put("seed", seed).put("epochs", epochs).put("batch", batch)
                .put("accuracy", new LabelEvaluator().evaluate(model, test).accuracy())
                .put("train_seconds", Math.round(seconds * 10) / 10.0);
        ArrayNode minimum = json.putArray("min_head_entropy_per_epoch");
        ArrayNode mean = json.putArray("mean_head_entropy_per_epoch");
        double[] minima = monitor.minimumPerEpoch();
        for (int e = 0; e < minima.length; e++) {
            minimum.add(round(minima[e]));
            List<Double> all = new ArrayList<>();
            monitor.perEpoch().get(e).values().forEach(heads -> {
                for (double h : heads) {
                    all.add(h);
                }
            });
            mean.add(round(all.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
        }
        return json.toString();
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
