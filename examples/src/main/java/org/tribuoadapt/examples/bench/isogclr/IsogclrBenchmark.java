package org.tribuoadapt.examples.bench.isogclr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.contrastive.ContrastiveTrainer;
import org.tribuoadapt.core.contrastive.GlobalContrastiveObjective;
import org.tribuoadapt.core.contrastive.ViewAugmentation;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench isogclr}: a small CNN (conv 16 and 32 with BatchNorm and pooling, a 64-wide penultimate layer and a
 * 32-wide projection head) pre-trained without labels on the embedded Fashion-MNIST sample's training images by
 * iSogCLR (individual temperatures, Qiu et al. 2023) and by SogCLR (one global temperature, Yuan et al. 2022), and
 * left at its random initialisation, each judged by a linear probe on its penultimate features (trained on the same
 * images with their labels, tested on the sample's test images). One JSON line per run, then one with the median
 * accuracy of each encoder over the seeds. Options: {@code --seeds 1,2,3}, {@code --epochs N} (3, pre-training),
 * {@code --batch N} (128), {@code --examples N} (the first N training images; 4,000 by default, 0 for all 8,000),
 * {@code --temperature X} (0.2: SogCLR's, and iSogCLR's initial one), {@code --probe-epochs N} (20).
 */
public final class IsogclrBenchmark implements BenchmarkCommand {

    private static final int PROJECTION = 32;
    private static final String PENULTIMATE = "fc_act1";

    @Override
    public String name() {
        return "isogclr";
    }

    @Override
    public String description() {
        return "iSogCLR vs SogCLR vs a random encoder: linear-probe accuracy after contrastive pre-training "
                + "(--seeds 1,2,3 --epochs N --batch N --examples N --temperature X --probe-epochs N)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("seeds", "1,2,3", "epochs", "3", "batch", "128",
                "examples", "4000", "temperature", "0.2", "probe-epochs", "20"));
        int epochs = options.integer("epochs");
        int batch = options.integer("batch");
        double temperature = options.real("temperature");
        MutableDataset<Label> train = EmbeddedSample.load("train", options.integer("examples"));
        MutableDataset<Label> test = EmbeddedSample.load("t10k", 0);
        LinearProbe probe = new LinearProbe(PENULTIMATE, options.integer("probe-epochs"), 0.01);
        ViewAugmentation views = new ViewAugmentation(3, 0.5, 0.1);
        Map<String, GlobalContrastiveObjective> objectives = new LinkedHashMap<>();
        objectives.put("isogclr", GlobalContrastiveObjective.isogclr(temperature, 0.9, 0.3, 0.01, 0.9, 0.05, 0.7, views));
        objectives.put("sogclr", GlobalContrastiveObjective.sogclr(temperature, 0.9, views));
        Map<String, List<Double>> accuracies = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String seedText : options.string("seeds").split(",")) {
            long seed = Long.parseLong(seedText.trim());
            for (Map.Entry<String, GlobalContrastiveObjective> e : objectives.entrySet()) {
                long start = System.nanoTime();
                NetworkModel model = new ContrastiveTrainer(encoder(), new AdamOptimiserFactory(0.001), e.getValue(),
                        PROJECTION, epochs, batch, seed).train(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                double accuracy;
                try (Network network = model.spec().build(model.getOutputIDInfo().size(), seed)) {
                    network.loadStateDict(model.stateDict(), true);
                    accuracy = probe.accuracy(network, train, test, seed);
                }
                accuracies.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(accuracy);
                out.println(line(mapper, e.getKey(), seed, epochs, batch, train.size(), accuracy)
                        .put("pretrain_seconds", Math.round(seconds * 10) / 10.0).toString());
            }
            double accuracy;
            try (Network network = encoder().build(train.getOutputIDInfo().size(), seed)) {
                accuracy = probe.accuracy(network, train, test, seed);
            }
            accuracies.computeIfAbsent("random", k -> new ArrayList<>()).add(accuracy);
            out.println(line(mapper, "random", seed, 0, batch, train.size(), accuracy).toString());
        }
        ObjectNode summary = mapper.createObjectNode().put("benchmark", "isogclr").put("summary", "median over seeds");
        accuracies.forEach((method, values) -> summary.put(method + "_median_accuracy", round(median(values))));
        out.println(summary.toString());
    }

    static CNNSpec encoder() {
        return new CNNSpec(1, 28, 28, new int[] {16, 32}, true, 2, new int[] {64});
    }

    private static ObjectNode line(ObjectMapper mapper, String method, long seed, int epochs, int batch, int examples,
                                   double accuracy) {
        return mapper.createObjectNode().put("benchmark", "isogclr").put("encoder", method).put("seed", seed)
                .put("pretrain_epochs", epochs).put("batch", batch).put("examples", examples)
                .put("probe_accuracy", round(accuracy));
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
