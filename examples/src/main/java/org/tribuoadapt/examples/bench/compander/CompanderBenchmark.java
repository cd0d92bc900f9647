package org.tribuoadapt.examples.bench.compander;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.WeightCompander;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
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
 * {@code bench compander}: the weight compander (Cakaj et al. 2023) against weight decay as a regulariser, on the
 * first training images of the embedded Fashion-MNIST sample (scored on all 2,000 test images). Four arms, each
 * trained with Adam for every seed: {@code plain}, {@code weight-decay} (AdamW's decoupled decay),
 * {@code compander} (every weight companded, {@link WeightCompander}) and {@code compander+weight-decay}. One JSON
 * line per run (arm, seed, test accuracy, training seconds), then one summary line per arm with the accuracies and
 * their median. Options: {@code --model mlp|cnn} (mlp: 784-256-128-10; cnn: conv 16, 32 with BatchNorm, FC 64),
 * {@code --seeds 1,2,3}, {@code --epochs N} (8), {@code --batch N} (64), {@code --lr X} (0.001),
 * {@code --examples N} (2000; 0 for all 8,000), {@code --weight-decay X} (0.05), {@code --alpha X} and
 * {@code --beta X} (the compander's, by default {@value WeightCompander#DEFAULT_ALPHA} and
 * {@value WeightCompander#DEFAULT_BETA}).
 */
public final class CompanderBenchmark implements BenchmarkCommand {

    @Override
    public String name() {
        return "compander";
    }

    @Override
    public String description() {
        return "weight compander against weight decay on the embedded sample: accuracy per seed and median "
                + "(--model mlp|cnn --seeds 1,2,3 --epochs N --batch N --lr X --examples N --weight-decay X --alpha X --beta X)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws IOException {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("model", "mlp", "seeds", "1,2,3", "epochs", "8",
                "batch", "64", "lr", "0.001", "examples", "2000", "weight-decay", "0.05",
                "alpha", Double.toString(WeightCompander.DEFAULT_ALPHA), "beta", Double.toString(WeightCompander.DEFAULT_BETA)));
        String model = options.string("model");
        double lr = options.real("lr");
        double weightDecay = options.real("weight-decay");
        int epochs = options.integer("epochs");
        int batch = options.integer("batch");
        WeightCompander compander = new WeightCompander(options.real("alpha"), options.real("beta"));
        Map<String, NetworkSpec> specs = new LinkedHashMap<>();
        Map<String, AdamOptimiserFactory> optimisers = new LinkedHashMap<>();
        AdamOptimiserFactory adam = new AdamOptimiserFactory(lr);
        AdamOptimiserFactory adamW = new AdamOptimiserFactory(lr, 0.9, 0.999, 1e-8, weightDecay, true);
        for (String arm : List.of("plain", "weight-decay", "compander", "compander+weight-decay")) {
            specs.put(arm, arm.startsWith("compander") ? spec(model, compander) : spec(model, null));
            optimisers.put(arm, arm.endsWith("weight-decay") ? adamW : adam);
        }
        MutableDataset<Label> train = EmbeddedSample.load("train", options.integer("examples"));
        MutableDataset<Label> test = EmbeddedSample.load("t10k", 0);
        ObjectMapper mapper = new ObjectMapper();
        Map<String, List<Double>> accuracies = new LinkedHashMap<>();
        for (String seedText : options.string("seeds").split(",")) {
            long seed = Long.parseLong(seedText.trim());
            for (String arm : specs.keySet()) {
                NetworkTrainer trainer = new NetworkTrainer(specs.get(arm), optimisers.get(arm), epochs, batch, seed);
                long start = System.nanoTime();
                NetworkModel trained = trainer.train(train);
                double seconds = (System.nanoTime() - start) / 1e9;
                double accuracy = new LabelEvaluator().evaluate(trained, test).accuracy();
                accuracies.computeIfAbsent(arm, a -> new ArrayList<>()).add(accuracy);
                ObjectNode json = header(mapper, arm, model, train.size(), epochs, lr, weightDecay, compander);
                json.put("seed", seed).put("accuracy", round(accuracy)).put("train_seconds", Math.round(seconds * 10) / 10.0);
                out.println(json);
            }
        }
        for (Map.Entry<String, List<Double>> e : accuracies.entrySet()) {
            ObjectNode json = header(mapper, e.getKey(), model, train.size(), epochs, lr, weightDecay, compander);
            ArrayNode all = json.putArray("accuracies");
            e.getValue().forEach(a -> all.add(round(a)));
            json.put("median_accuracy", round(BenchmarkOptions.median(e.getValue())));
            out.println(json);
        }
    }

    private static NetworkSpec spec(String model, WeightCompander compander) {
        switch (model) {
            case "mlp": {
                MLPSpec mlp = new MLPSpec(784, new int[] {256, 128}, Activation.RELU, 0.0);
                return compander == null ? mlp : mlp.withWeightCompander(compander);
            }
            case "cnn": {
                CNNSpec cnn = new CNNSpec(1, 28, 28, new int[] {16, 32}, true, 2, new int[] {64});
                return compander == null ? cnn : cnn.withWeightCompander(compander);
            }
            default:
                throw new IllegalArgumentException("--model must be mlp or cnn, found '" + model + "'");
        }
    }

    private static ObjectNode header(ObjectMapper mapper, String arm, String model, int examples, int epochs, double lr,
                                     double weightDecay, WeightCompander compander) {
        ObjectNode json = mapper.createObjectNode();
        json.put("benchmark", "compander").put("arm", arm).put("model", model).put("train_examples", examples)
                .put("epochs", epochs).put("lr", lr)
                .put("weight_decay", arm.endsWith("weight-decay") ? weightDecay : 0.0);
        if (arm.startsWith("compander")) {
            json.put("alpha", compander.alpha()).put("beta", compander.beta());
        }
        return json;
    }

    private static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }
}
