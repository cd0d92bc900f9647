package org.tribuoadapt.examples.bench.widenet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.nn.spec.WideNetSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.LoadBalancingObjective;
import org.tribuoadapt.examples.bench.core.BenchmarkCommand;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.examples.bench.core.EmbeddedSample;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench widenet}: WideNet (Xue et al. 2022, "Go Wider Instead of Deeper") against a plain ViT of the same
 * per-token cost on the embedded Fashion-MNIST sample (scored on all 2,000 test images). Both have patch 7, width 64,
 * depth 4 and 4 heads; the ViT's blocks each have their own attention and a feed-forward part of width 128, while
 * WideNet's layers share one attention and one mixture of {@code --experts} experts of width
 * {@code 128 / --topk}, routed top-k with capacity factor {@code --capacity}, and keep their own LayerNorms. The
 * ViT trains on cross-entropy, WideNet on cross-entropy plus {@code --balance-weight} times the load-balancing loss.
 * One JSON line per run (arm, seed, trainable parameters, test accuracy, training seconds), then one summary line per
 * arm with the accuracies and their median. Options: {@code --seeds 1,2,3}, {@code --epochs N} (5),
 * {@code --batch N} (128), {@code --lr X} (0.003), {@code --examples N} (0, all 8,000), {@code --experts N} (4),
 * {@code --topk N} (2), {@code --capacity X} (1.25), {@code --balance-weight X} (0.01).
 */
public final class WideNetBenchmark implements BenchmarkCommand {

    private static final int DIM = 64;
    private static final int DEPTH = 4;
    private static final int HEADS = 4;
    private static final int FEED_FORWARD = 128;

    @Override
    public String name() {
        return "widenet";
    }

    @Override
    public String description() {
        return "WideNet against a plain ViT of the same per-token cost: parameters, accuracy per seed and median "
                + "(--seeds 1,2,3 --epochs N --batch N --lr X --examples N --experts N --topk N --capacity X --balance-weight X)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("seeds", "1,2,3", "epochs", "5", "batch", "128",
                "lr", "0.003", "examples", "0", "experts", "4", "topk", "2", "capacity", "1.25", "balance-weight", "0.01"));
        int epochs = options.integer("epochs");
        int batch = options.integer("batch");
        double lr = options.real("lr");
        int topK = options.integer("topk");
        if (topK < 1 || FEED_FORWARD % topK != 0) {
            throw new IllegalArgumentException("--topk must divide " + FEED_FORWARD + ", found " + topK);
        }
        double balanceWeight = options.real("balance-weight");
        Map<String, NetworkSpec> specs = new LinkedHashMap<>();
        specs.put("transformer", TransformerSpec.forImages(1, 28, 28, 7, DIM, DEPTH, HEADS, FEED_FORWARD));
        specs.put("widenet", WideNetSpec.forImages(1, 28, 28, 7, DIM, DEPTH, HEADS, FEED_FORWARD / topK,
                options.integer("experts"), topK, options.real("capacity")));
        MutableDataset<Label> train = EmbeddedSample.load("train", options.integer("examples"));
        MutableDataset<Label> test = EmbeddedSample.load("t10k", 0);
        ObjectMapper mapper = new ObjectMapper();
        Map<String, List<Double>> accuracies = new LinkedHashMap<>();
        Map<String, Long> parameters = new LinkedHashMap<>();
        for (String seedText : options.string("seeds").split(",")) {
            long seed = Long.parseLong(seedText.trim());
            for (Map.Entry<String, NetworkSpec> arm : specs.entrySet()) {
                NetworkTrainer trainer = new NetworkTrainer(arm.getValue(), new AdamOptimiserFactory(lr), epochs, batch, seed);
                if (arm.getValue() instanceof WideNetSpec) {
                    trainer.withObjective(new LoadBalancingObjective(balanceWeight));
                }
                long start = System.nanoTime();
                NetworkModel trained = trainer.train(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                double accuracy = new LabelEvaluator().evaluate(trained, test).accuracy();
                try (Network network = trained.newNetwork()) {
                    parameters.put(arm.getKey(), network.countWeights(true));
                }
                accuracies.computeIfAbsent(arm.getKey(), a -> new ArrayList<>()).add(accuracy);
                ObjectNode json = header(mapper, arm, parameters.get(arm.getKey()), train.size(), epochs, batch, lr, balanceWeight);
                json.put("seed", seed).put("accuracy", round(accuracy)).put("train_seconds", Math.round(seconds * 10) / 10.0);
                out.println(json);
            }
        }
        for (Map.Entry<String, NetworkSpec> arm : specs.entrySet()) {
            ObjectNode json = header(mapper, arm, parameters.get(arm.getKey()), train.size(), epochs, batch, lr, balanceWeight);
            ArrayNode all = json.putArray("accuracies");
            accuracies.get(arm.getKey()).forEach(a -> all.add(round(a)));
            json.put("median_accuracy", round(BenchmarkOptions.median(accuracies.get(arm.getKey()))));
            out.println(json);
        }
    }

    private static ObjectNode header(ObjectMapper mapper, Map.Entry<String, NetworkSpec> arm, long parameters,
                                     int examples, int epochs, int batch, double lr, double balanceWeight) {
        ObjectNode json = mapper.createObjectNode();
        json.put("benchmark", "widenet").put("arm", arm.getKey()).put("spec", arm.getValue().toString())
                .put("parameters", parameters).put("examples", examples).put("epochs", epochs).put("batch", batch)
                .put("lr", lr);
        if (arm.getValue() instanceof WideNetSpec) {
            json.put("balance_weight", balanceWeight);
        }
        return json;
    }

    private static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }
}
