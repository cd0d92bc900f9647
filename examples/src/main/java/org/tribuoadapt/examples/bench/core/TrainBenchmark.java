package org.tribuoadapt.examples.bench.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.data.IDXTensors;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;

import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench train}: full training throughput of the MLP and the CNN on Fashion-MNIST, doing the same work as the
 * PyTorch peer {@code peer_pytorch_lora.py --full}: the first {@code --examples} training images, Adam with
 * learning rate 1e-3, batch 128, one warm-up epoch, then one timed epoch, then timed inference over the same data.
 * Options: {@code --model mlp|cnn|both} (default both), {@code --examples N} (20000), {@code --batch N} (128),
 * {@code --repeats N} (1; timed epochs, the median is reported), {@code --data DIR}
 * (/usr/share/datasets/fashion-mnist).
 */
public final class TrainBenchmark implements BenchmarkCommand {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String description() {
        return "full-training and inference throughput of the MLP and CNN (--model mlp|cnn|both --examples N --batch N --repeats N --data DIR)";
    }

    @Override
    public void run(List<String> args, PrintStream out) throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(args, Map.of("model", "both", "examples", "20000",
                "batch", "128", "repeats", "1", "data", "/usr/share/datasets/fashion-mnist"));
        String model = options.string("model");
        int examples = options.integer("examples");
        int batch = options.integer("batch");
        int repeats = options.integer("repeats");
        String data = options.string("data");
        TensorDataset images = IDXTensors.load(Paths.get(data, "train-images-idx3-ubyte.gz").toString(),
                Paths.get(data, "train-labels-idx1-ubyte.gz").toString(), examples);
        List<String> models = model.equals("both") ? List.of("mlp", "cnn") : List.of(model);
        for (String m : models) {
            out.println(measure(m, images, batch, repeats));
        }
    }

    private static String measure(String model, TensorDataset images, int batch, int repeats) throws Exception {
        NetworkSpec spec;
        TensorDataset data;
        switch (model) {
            case "mlp":
                spec = new MLPSpec(784, new int[] {512, 256}, Activation.RELU, 0.0);
                data = images.withExampleShape(spec.inputShape());
                break;
            case "cnn":
                spec = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});
                data = images;
                break;
            default:
                throw new IllegalArgumentException("--model must be mlp, cnn or both, found '" + model + "'");
        }
        List<Double> trainRates = new ArrayList<>();
        double inferRate;
        long trainable;
        try (Network network = spec.build(10, 0L)) {
            trainable = network.countWeights(true);
            TrainingPlan plan = new TrainingPlan(trainable, trainable, data.size(), spec.inputSize(), batch, 1);
            try (NetworkOptimiser optimiser = new AdamOptimiserFactory(1e-3).create(network.trainableParameters(), plan)) {
                TrainingLoop epoch = new TrainingLoop(1, batch, 0.0, 1);
                SplittableRandom rng = new SplittableRandom(0);
                epoch.fit(network, optimiser, data, null, BatchObjective.crossEntropy(), rng, TrainingListener.NONE);
                for (int r = 0; r < repeats; r++) {
                    long start = System.nanoTime();
                    epoch.fit(network, optimiser, data, null, BatchObjective.crossEntropy(), rng, TrainingListener.NONE);
                    trainRates.add(data.size() / ((System.nanoTime() - start) / 1e9));
                }
            }
            inferRate = inferenceRate(network, data, batch);
        }
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("benchmark", "train").put("engine", "djl-pytorch").put("djl", DjlRuntime.djlVersion())
                .put("torch", DjlRuntime.pytorchVersion()).put("model", model).put("mode", "full")
                .put("batch", batch).put("threads", DjlRuntime.intraOpThreads()).put("examples", data.size())
                .put("repeats", repeats).put("trainable_params", trainable)
                .put("train_examples_per_s", round(BenchmarkOptions.median(trainRates)))
                .put("infer_examples_per_s", round(inferRate));
        return json.toString();
    }

    private static double inferenceRate(Network network, TensorDataset data, int batch) {
        long start = System.nanoTime();
        try (GradientMode ignored = GradientMode.disabled()) {
            for (int from = 0; from + batch <= data.size(); from += batch) {
                try (NDManager manager = network.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray logits = network.forward(data.features(manager, Evaluation.range(from, from + batch)),
                            ForwardContext.inference(manager));
                    logits.getFloat(0, 0);
                }
            }
        }
        return (data.size() / batch) * batch / ((System.nanoTime() - start) / 1e9);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
