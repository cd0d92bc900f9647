package org.tribuoadapt.examples.bench.peft;

import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.poly.AveragedRouting;
import org.tribuoadapt.peft.poly.PolySpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The multi-task half of {@code bench peft} ({@code --mode multitask}): Poly and MHR (Ponti et al. 2023; Caccia et al.
 * 2023) on Fashion-MNIST tasks. The main job's CNN is trained on classes 0-4; classes 5-9 (label ids 0-4 of one label
 * set, numbered in the order the training file first shows them) are cut into tasks, each a pair of label ids: the training tasks {0, 1}, {2, 3}, {1, 2}, {3, 4} and the held-out
 * task {0, 4}. Poly ({@code nSplits = 1}) and MHR ({@code nSplits = 4}) adapt {@code fc1} with the head as a module to
 * save; training cycles the tasks, one epoch of each per round, the inventory re-routed as each task in turn. Then
 * MHR-z routes the held-out task with the mean routing (no training on it) and MHR-μ collapses the MHR inventory by
 * that routing into one LoRA and fine-tunes it on the held-out task. Each line reports a method's test accuracy on one
 * task (the larger of the task's two logits: the head is shared by the tasks, trained on one after another) and the
 * trainable parameters.
 */
final class MultiTaskBenchmark {

    /** The training tasks, as pairs of label ids of classes 5-9. */
    static final List<int[]> TRAINING_TASKS = List.of(new int[] {0, 1}, new int[] {2, 3}, new int[] {1, 2}, new int[] {3, 4});

    /** The held-out task. */
    static final int[] HELD_OUT_TASK = {0, 4};

    private static final String ADAPTER = "default";

    private final NetworkSpec network;
    private final TensorDataset[] source;
    private final TensorDataset[] target;
    private final int sourceEpochs;
    private final int rounds;
    private final int batchSize;
    private final double learningRate;
    private final double fullLearningRate;
    private final int rank;
    private final long seed;

    MultiTaskBenchmark(NetworkSpec network, TensorDataset[] source, TensorDataset[] target, int sourceEpochs, int rounds,
                       int batchSize, double learningRate, double fullLearningRate, int rank, long seed) {
        this.network = network;
        this.source = source;
        this.target = target;
        this.sourceEpochs = sourceEpochs;
        this.rounds = rounds;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.fullLearningRate = fullLearningRate;
        this.rank = rank;
        this.seed = seed;
    }

    /** The examples of a dataset whose label is one of the task's. */
    static TensorDataset task(TensorDataset data, int[] labels) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            int label = data.label(i);
            if (label == labels[0] || label == labels[1]) {
                keep.add(i);
            }
        }
        return data.subset(keep.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Runs Poly, MHR, MHR-z and MHR-μ.
     * @param out Receives one map per method and task.
     */
    void run(Consumer<Map<String, Object>> out) {
        Map<String, TensorData> sourceWeights;
        try (Network net = network.build(5, seed)) {
            BenchmarkRuns.train(net, source[0], sourceEpochs, batchSize, fullLearningRate, seed);
            sourceWeights = net.stateDict();
        }
        AdapterTargets fc1 = AdapterTargets.modules("fc1").saving("head");
        int tasks = TRAINING_TASKS.size();
        trainAndReport("poly", new PolySpec(fc1, rank, tasks, 4, 1, 0, true), sourceWeights, out);
        PolySpec mhr = new PolySpec(fc1, rank, tasks, 4, 4, 0, true);
        Map<String, TensorData> trained = trainAndReport("mhr", mhr, sourceWeights, out);
        TensorDataset[] heldOut = {task(target[0], HELD_OUT_TASK), task(target[1], HELD_OUT_TASK)};
        try (PeftNetwork peft = PeftNetwork.wrap(start(sourceWeights))) {
            PolySpec zeroShot = mhr.forTask(PolySpec.AVERAGE_OF_TASKS);
            route(peft, zeroShot, trained);
            out.accept(line("mhr-z", "held-out", HELD_OUT_TASK, 0, peft, heldOut[1]));
            AdapterSpec collapsed = AveragedRouting.loraSpec(zeroShot);
            Map<String, TensorData> lora = new LinkedHashMap<>(AveragedRouting.loraTensors(peft, ADAPTER));
            trained.forEach((key, value) -> {
                if (!key.contains(".poly_")) {
                    lora.put(key, value);
                }
            });
            route(peft, collapsed, lora);
            train(peft, heldOut[0], rounds);
            out.accept(line("mhr-mu", "held-out", HELD_OUT_TASK, rounds, peft, heldOut[1]));
        }
    }

    private Map<String, TensorData> trainAndReport(String method, PolySpec spec, Map<String, TensorData> sourceWeights,
                                                   Consumer<Map<String, Object>> out) {
        try (PeftNetwork peft = PeftNetwork.wrap(start(sourceWeights))) {
            peft.addAdapter(ADAPTER, spec, 5, seed);
            Map<String, TensorData> tensors = peft.adapterTensors(ADAPTER);
            for (int round = 0; round < rounds; round++) {
                for (int t = 0; t < TRAINING_TASKS.size(); t++) {
                    route(peft, spec.forTask(t), tensors);
                    train(peft, task(target[0], TRAINING_TASKS.get(t)), 1);
                    tensors = peft.adapterTensors(ADAPTER);
                }
            }
            for (int t = 0; t < TRAINING_TASKS.size(); t++) {
                route(peft, spec.forTask(t), tensors);
                out.accept(line(method, "training task " + t, TRAINING_TASKS.get(t), rounds, peft,
                        task(target[1], TRAINING_TASKS.get(t))));
            }
            return tensors;
        }
    }

    /** Replaces the adapter by one with the spec (a task's routing) and the tensors. */
    private void route(PeftNetwork peft, AdapterSpec spec, Map<String, TensorData> tensors) {
        if (peft.adapterNames().contains(ADAPTER)) {
            peft.deleteAdapter(ADAPTER);
        }
        peft.addAdapter(ADAPTER, spec, 5, seed);
        peft.loadAdapterTensors(ADAPTER, tensors);
        peft.setActiveAdapters(List.of(ADAPTER));
        peft.setTrainable(ADAPTER);
    }

    private void train(PeftNetwork peft, TensorDataset data, int epochs) {
        BenchmarkRuns.train(peft.network(), data, epochs, batchSize, seed,
                plan -> peft.createOptimiser(ADAPTER, new AdamOptimiserFactory(learningRate), plan),
                peft.withPenalty(ADAPTER, BatchObjective.crossEntropy()));
    }

    private Network start(Map<String, TensorData> weights) {
        Network net = network.assemble(5);
        net.loadStateDict(weights, true);
        return net;
    }

    /**
     * The share of the task's test examples whose larger logit among the task's two labels is the right one (the
     * task's classifier; the shared head also keeps the other tasks' labels).
     */
    static double pairAccuracy(PeftNetwork peft, TensorDataset test, int[] labels) {
        float[][] logits = Evaluation.logits(peft.network(), test);
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            int predicted = logits[i][labels[0]] >= logits[i][labels[1]] ? labels[0] : labels[1];
            correct += predicted == test.label(i) ? 1 : 0;
        }
        return (double) correct / logits.length;
    }

    private static Map<String, Object> line(String method, String task, int[] labels, int rounds, PeftNetwork peft,
                                            TensorDataset test) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "peft");
        out.put("mode", "multitask");
        out.put("method", method);
        out.put("task", task);
        out.put("label_ids", List.of(labels[0], labels[1]));
        out.put("rounds", rounds);
        out.put("test_examples", test.size());
        out.put("trainable_params", peft.trainableSummary().trainable());
        out.put("accuracy", Math.round(pairAccuracy(peft, test, labels) * 10000) / 10000.0);
        out.put("spec", peft.spec(ADAPTER).toString());
        return out;
    }
}
