package org.tribuoadapt.examples.bench.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.core.train.TrainingLoop;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.peft.AdapterTargets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The timed pieces the benchmark is made of: training epochs through core's {@link TrainingLoop} with Adam, and
 * inference passes over full batches.
 */
final class BenchmarkRuns {

    private BenchmarkRuns() {}

    /**
     * Trains for some epochs with Adam over the network's trainable parameters.
     * @param network The network.
     * @param data The training data.
     * @param epochs The number of epochs.
     * @param batchSize The batch size.
     * @param learningRate Adam's learning rate.
     * @param seed The shuffling seed.
     * @return The seconds each epoch took.
     */
    static double[] train(Network network, TensorDataset data, int epochs, int batchSize, double learningRate, long seed) {
        return train(network, data, epochs, batchSize, seed,
                plan -> new AdamOptimiserFactory(learningRate).create(network.trainableParameters(), plan),
                BatchObjective.crossEntropy());
    }

    /**
     * Trains as {@link #train(Network, TensorDataset, int, int, double, long)} with a given optimiser and objective
     * (an adapter's, from {@code PeftNetwork.createOptimiser} and {@code PeftNetwork.withPenalty}, such as SoRA's gate
     * optimiser and L1 term).
     * @param network The network.
     * @param data The training data.
     * @param epochs The number of epochs.
     * @param batchSize The batch size.
     * @param seed The batch-order seed.
     * @param optimiser Creates the optimiser for the run's plan.
     * @param objective The objective.
     * @return The seconds each epoch took.
     */
    static double[] train(Network network, TensorDataset data, int epochs, int batchSize, long seed,
                          Function<TrainingPlan, NetworkOptimiser> optimiser, BatchObjective objective) {
        TrainingPlan plan = new TrainingPlan(network.countWeights(true), network.countWeights(false), data.size(),
                data.exampleShape().size(), batchSize, epochs);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] seconds = new double[epochs];
        try (NetworkOptimiser opt = optimiser.apply(plan)) {
            TrainingLoop loop = new TrainingLoop(1, batchSize, 0.0, 1);
            for (int e = 0; e < epochs; e++) {
                long start = System.nanoTime();
                loop.fit(network, opt, data, null, objective, rng, TrainingListener.NONE);
                seconds[e] = (System.nanoTime() - start) / 1e9;
            }
        }
        return seconds;
    }

    /**
     * Runs the network in inference mode over the full batches of the data.
     * @param network The network.
     * @param data The data.
     * @param batchSize The batch size.
     * @return The seconds the pass took.
     */
    static double infer(Network network, TensorDataset data, int batchSize) {
        long start = System.nanoTime();
        try (GradientMode ignored = GradientMode.disabled()) {
            for (int from = 0; from + batchSize <= data.size(); from += batchSize) {
                try (NDManager batch = network.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray x = data.features(batch, range(from, from + batchSize));
                    network.forward(x, ForwardContext.inference(batch));
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * The examples the full batches hold.
     * @param size The data size.
     * @param batchSize The batch size.
     * @return {@code floor(size / batch) * batch}.
     */
    static int fullBatchExamples(int size, int batchSize) {
        return (size / batchSize) * batchSize;
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        Arrays.setAll(out, i -> from + i);
        return out;
    }

    /**
     * Every Linear and Conv2d layer except the output layer, with the output layer trained fully: the peer benchmark's
     * LoRA placement.
     * @param network The base network.
     * @return The targets.
     */
    static AdapterTargets everyLayerButTheHead(Network network) {
        String head = AdapterTargets.lastLinear(network.layers());
        List<String> targets = new ArrayList<>();
        for (Layer layer : network.layers().values()) {
            if ((layer instanceof Linear || layer instanceof Conv2d) && !layer.path().equals(head)) {
                targets.add(layer.path());
            }
        }
        return new AdapterTargets(targets, null, null, List.of(head));
    }
}
