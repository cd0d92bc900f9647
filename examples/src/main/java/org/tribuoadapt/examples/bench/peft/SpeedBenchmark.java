package org.tribuoadapt.examples.bench.peft;

import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The speed half of {@code bench peft}, the same work as {@code peer_pytorch_lora.py}: a randomly initialised base
 * network (the MLP 784-512-256-10 or the CNN), frozen; LoRA (r, alpha) on every Linear and Conv2d layer except the
 * head, which is trained fully; Adam with learning rate 1e-3; one warm-up epoch over the first examples, then one timed
 * epoch (full batches only, as the peer), then a timed inference pass. Full fine-tuning of the same network is timed
 * the same way, and inference of the base network against the merged network (best of five passes each). Peak
 * resident memory is recorded for LoRA and for full fine-tuning; {@link PeftBenchmark} runs each in its own JVM so
 * that both start from the same state.
 */
final class SpeedBenchmark {

    private final NetworkSpec spec;
    private final String model;
    private final TensorDataset data;
    private final int rank;
    private final double alpha;
    private final int batchSize;
    private final long seed;

    SpeedBenchmark(NetworkSpec spec, String model, TensorDataset data, int rank, double alpha, int batchSize, long seed) {
        this.spec = spec;
        this.model = model;
        this.data = data.subset(range(BenchmarkRuns.fullBatchExamples(data.size(), batchSize)));
        this.rank = rank;
        this.alpha = alpha;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    private Map<String, Object> line(String method) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "peft");
        out.put("mode", "speed");
        out.put("model", model);
        out.put("method", method);
        out.put("rank", rank);
        out.put("alpha", alpha);
        out.put("batch", batchSize);
        out.put("threads", DjlRuntime.intraOpThreads());
        out.put("examples", data.size());
        return out;
    }

    /**
     * Times LoRA fine-tuning and compares merged with base inference.
     * @param out Receives one map per measurement.
     */
    void runLora(Consumer<Map<String, Object>> out) {
        Map<String, TensorData> baseWeights;
        Map<String, TensorData> mergedWeights;
        Map<String, Object> lora = line("lora");
        double unmerged;
        double mergedInPlace;
        settle();
        try (PeakMemory memory = PeakMemory.start()) {
            long before = memory.peakBytes();
            try (PeftNetwork peft = PeftNetwork.wrap(spec.build(10, seed))) {
                peft.addAdapter("default", new LoraSpec(BenchmarkRuns.everyLayerButTheHead(peft.network()), rank, alpha),
                        10, seed);
                peft.setActiveAdapters(List.of("default"));
                peft.setTrainable("default");
                timeTraining(peft.network(), lora, memory, before);
                unmerged = inference(peft.network());
                mergedWeights = peft.mergedStateDict();
                peft.setActiveAdapters(List.of());
                baseWeights = peft.mergedStateDict();
                peft.setActiveAdapters(List.of("default"));
                peft.merge();
                mergedInPlace = inference(peft.network());
            }
        }
        lora.put("infer_examples_per_s", round(data.size() / unmerged));
        out.accept(lora);

        Map<String, Object> inference = line("merged-inference");
        try (Network base = plain(baseWeights); Network merged = plain(mergedWeights)) {
            double baseBest = Double.POSITIVE_INFINITY;
            double mergedBest = Double.POSITIVE_INFINITY;
            for (int i = 0; i < 5; i++) {
                baseBest = Math.min(baseBest, BenchmarkRuns.infer(base, data, batchSize));
                mergedBest = Math.min(mergedBest, BenchmarkRuns.infer(merged, data, batchSize));
            }
            inference.put("base_infer_examples_per_s", round(data.size() / baseBest));
            inference.put("merged_infer_examples_per_s", round(data.size() / mergedBest));
            inference.put("merged_in_place_infer_examples_per_s", round(data.size() / mergedInPlace));
            inference.put("unmerged_infer_examples_per_s", round(data.size() / unmerged));
            inference.put("merged_over_base", Math.round(baseBest / mergedBest * 1000) / 1000.0);
        }
        out.accept(inference);
    }

    /**
     * Times full fine-tuning of the same network.
     * @param out Receives the measurement.
     */
    void runFull(Consumer<Map<String, Object>> out) {
        Map<String, Object> full = line("full");
        settle();
        try (PeakMemory memory = PeakMemory.start(); Network network = spec.build(10, seed)) {
            long before = memory.peakBytes();
            timeTraining(network, full, memory, before);
            full.put("infer_examples_per_s", round(data.size() / inference(network)));
        }
        out.accept(full);
    }

    /**
     * Collects garbage and gives the JVM a moment to return freed heap to the system, so that each measured phase starts
     * from a comparable resident size (the data loading before the first phase leaves much garbage).
     */
    private static void settle() {
        System.gc();
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Network plain(Map<String, TensorData> weights) {
        Network network = spec.assemble(10);
        network.loadStateDict(weights, true);
        return network;
    }

    private void timeTraining(Network network, Map<String, Object> line, PeakMemory memory, long before) {
        line.put("trainable_params", network.countWeights(true));
        line.put("total_params", network.countWeights(false));
        double[] seconds = BenchmarkRuns.train(network, data, 2, batchSize, 1e-3, seed);
        line.put("train_examples_per_s", round(data.size() / seconds[1]));
        line.put("warmup_examples_per_s", round(data.size() / seconds[0]));
        long peak = memory.peakBytes();
        line.put("peak_rss_bytes", peak);
        // gradients and Adam's two moments of every trainable value, in float32
        line.put("training_state_bytes", 12 * network.countWeights(true));
        line.put("peak_rss_growth_bytes", peak < 0 || before < 0 ? -1 : peak - before);
        line.put("memory_method", memory.method().name());
    }

    /** One inference pass, right after training, as the peer measures it. */
    private double inference(Network network) {
        return BenchmarkRuns.infer(network, data, batchSize);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
