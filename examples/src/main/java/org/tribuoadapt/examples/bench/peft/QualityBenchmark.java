package org.tribuoadapt.examples.bench.peft;

import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.core.train.TrainingListener;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.TrainableSummary;
import org.tribuoadapt.peft.allora.AlloraSpec;
import org.tribuoadapt.peft.bitfit.BitFitSpec;
import org.tribuoadapt.peft.bottleneck.BottleneckArchitecture;
import org.tribuoadapt.peft.bottleneck.BottleneckPlacement;
import org.tribuoadapt.peft.bottleneck.BottleneckSpec;
import org.tribuoadapt.peft.diffora.DifforaSearch;
import org.tribuoadapt.peft.diffora.DifforaSpec;
import org.tribuoadapt.peft.diffusekrona.DiffuseKronASpec;
import org.tribuoadapt.peft.flora.FloraSpec;
import org.tribuoadapt.peft.hydra.HydraSpec;
import org.tribuoadapt.peft.ia3.IA3Spec;
import org.tribuoadapt.peft.loha.LoHaSpec;
import org.tribuoadapt.peft.lokr.LoKrSpec;
import org.tribuoadapt.peft.loldu.LolduSpec;
import org.tribuoadapt.peft.lora.LoraInit;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.peft.lycoris.LycorisOptions;
import org.tribuoadapt.peft.normtuning.NormTuningSpec;
import org.tribuoadapt.peft.mam.MamAdapterSpec;
import org.tribuoadapt.peft.prefix.PrefixTuningSpec;
import org.tribuoadapt.peft.prompt.PromptTuningSpec;
import org.tribuoadapt.peft.zeroi2v.ZeroI2VSpec;
import org.tribuoadapt.peft.randlora.RandLoraSpec;
import org.tribuoadapt.peft.increlora.IncreLoraSpec;
import org.tribuoadapt.peft.sara.SaraSpec;
import org.tribuoadapt.peft.sora.SoraSpec;
import org.tribuoadapt.peft.spt.SptSelection;
import org.tribuoadapt.peft.spt.SptSpec;
import org.tribuoadapt.peft.spt.SptTrainer;
import org.tribuoadapt.peft.svfit.SvfitSpec;
import org.tribuoadapt.peft.vera.VeraSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The quality half of {@code bench peft}: the main job's task on Fashion-MNIST. The main job's CNN (or, with
 * {@code --model transformer}, the sequence Transformer reading each image as 28 rows of 28 pixels) is trained on
 * classes 0-4; then, starting from it, classes 5-9 are learned with a new head by full fine-tuning, by training the
 * head alone, and by every implemented adapter method that fits the network (each with the head as a module to save).
 * Each run reports test accuracy on classes 5-9, the trainable parameters and their share, and the training time.
 */
final class QualityBenchmark {

    /** The main job's CNN. */
    static final CNNSpec NETWORK = new CNNSpec(1, 28, 28, new int[] {32, 64}, true, 2, new int[] {128});

    /** DiffoRA's share of the candidate modules kept (two of conv1, conv2, fc1). */
    static final double DIFFORA_BUDGET_RATIO = 0.5;

    /** The learning rate of DiffoRA's module logits. */
    static final double DIFFORA_MASK_LEARNING_RATE = 0.01;

    /** The sequence Transformer of {@code examples/configs/peft-bottleneck.xml}: 28 tokens of 28 pixels, width 64. */
    static final TransformerSpec SEQUENCE_NETWORK = TransformerSpec.forSequences(784, 28, 64, 2, 4, 128);

    private final NetworkSpec network;
    private final String model;

    private final TensorDataset[] source;
    private final TensorDataset[] target;
    private final int sourceEpochs;
    private final int epochs;
    private final int batchSize;
    private final double learningRate;
    private final double fullLearningRate;
    private final long seed;

    QualityBenchmark(NetworkSpec network, String model, TensorDataset[] source, TensorDataset[] target, int sourceEpochs,
                     int epochs, int batchSize, double learningRate, double fullLearningRate, long seed) {
        this.network = network;
        this.model = model;
        this.source = source;
        this.target = target;
        this.sourceEpochs = sourceEpochs;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.fullLearningRate = fullLearningRate;
        this.seed = seed;
    }

    /**
     * The adapter methods compared, with the main job's placement: the convolutions and the hidden Linear layer, the
     * head as a module to save. The hidden layer {@code fc1} holds 95% of the network's weights, so {@code lora} gives
     * it half the rank (at the full rank its adapter alone is 6% of the weights); {@code lora-uniform} uses the full
     * rank everywhere. VeRA and RandLoRA adapt Linear layers only, so they target {@code fc1}; SVFit and LoLDU train
     * only r values per layer and use r = 4 x rank on the two largest layers; BitFit trains every bias and norm-only
     * tuning the BatchNorm layers. SaRA tunes the weights of {@code conv2} and {@code fc1} below the authors' magnitude
     * threshold 2e-3 (revised after 20 steps, nuclear-norm weight 5e-4). SPT ranks the weights of the three layers by
     * sensitivity and spends half the parameters LoRA has at the same rank on them ({@link #sptBudget}; at the full
     * LoRA budget every layer would become a LoRA module and SPT would equal {@code lora-uniform}), LoRA rank and alpha
     * as {@code lora-uniform}. LT-SFT (a two-phase trainer) and aTLAS (which needs task vectors of other fine-tunings)
     * are not adapters of this loop and are measured by their own tests.
     * @param rank The LoRA rank.
     * @return Specs by method name.
     */
    static Map<String, AdapterSpec> methods(int rank) {
        AdapterTargets layers = AdapterTargets.modules("conv1", "conv2", "fc1").saving("head");
        int half = Math.max(1, rank / 2);
        Map<String, AdapterSpec> out = new LinkedHashMap<>();
        out.put("lora", new LoraSpec(layers, rank, 2.0 * rank, 0.0, false, false, LoraInit.DEFAULT, Map.of("fc1", half),
                Map.of("fc1", 2.0 * half)));
        out.put("lora-uniform", new LoraSpec(layers, rank, 2.0 * rank));
        out.put("dora", new LoraSpec(layers, rank, 2.0 * rank, 0.0, false, true, LoraInit.DEFAULT, Map.of(), Map.of()));
        out.put("rslora-pissa", new LoraSpec(layers, rank, rank, 0.0, true, false, LoraInit.PISSA, Map.of(), Map.of()));
        out.put("ia3", new IA3Spec(layers, List.of("fc1")));
        out.put("loha", new LoHaSpec(layers, LycorisOptions.of(Math.max(1, rank / 2), rank), true));
        out.put("lokr", new LoKrSpec(layers, new LycorisOptions(Math.max(1, rank / 2), rank, 0.0, 0.0, true, Map.of(), Map.of())));
        out.put("vera", new VeraSpec(AdapterTargets.modules("fc1").saving("head"), 8 * rank));
        // the seed methods, placed as in examples/configs/peft-<method>.xml
        AdapterTargets large = AdapterTargets.modules("conv2", "fc1").saving("head");
        out.put("hydra", new HydraSpec(layers, half, 1.0));
        out.put("randlora", new RandLoraSpec(AdapterTargets.modules("fc1").saving("head"), 32, 640));
        out.put("svfit", new SvfitSpec(large, 4 * rank));
        out.put("loldu", new LolduSpec(large, 4 * rank, 1.0));
        out.put("flora", new FloraSpec(layers, rank, 2, 1.0));
        out.put("sora", new SoraSpec(layers, rank, 2.0 * rank));
        // IncreLoRA starts at a quarter of the rank and grows to half of it on average (the budget of lora's fc1), by
        // 2 ranks to the top module every 5 steps after 5 steps of warm-up, up to the rank on one module (an average
        // target of at least 2, IncreLoRA's smallest with its default increment)
        int increTarget = Math.max(2, half);
        out.put("increlora", new IncreLoraSpec(layers, Math.max(1, rank / 4), increTarget, Math.max(rank, increTarget),
                5, 5, 1));
        out.put("allora", new AlloraSpec(layers, rank, 1.0));
        out.put("sara", new SaraSpec(large, 2e-3, 0.0, 20, 5e-4));
        out.put("diffusekrona", new DiffuseKronASpec(layers, 0, 0, 1.0));
        out.put("diffora", new DifforaSpec(layers, rank, 2.0 * rank, DIFFORA_BUDGET_RATIO));
        out.put("spt", new SptSpec(layers, rank, 2.0 * rank, List.of()));
        out.put("bitfit", new BitFitSpec(AdapterTargets.modules("conv1", "bn1", "conv2", "bn2", "fc1").saving("head")));
        out.put("norm-tuning", new NormTuningSpec(AdapterTargets.modules("bn1", "bn2").saving("head")));
        return out;
    }

    /**
     * The methods compared on the sequence Transformer (He et al. 2022's families): LoRA on every fully connected layer
     * of the blocks, bottleneck adapters (Houlsby's, sequential, r = rank; the feed-forward parallel adapter with
     * s = 4 as in He et al.), prompt tuning with rank virtual tokens, and prefix tuning of length rank, directly and
     * through a reparameterisation of hidden width 4 x rank; the mix-and-match adapter (prefixes of length rank on the
     * attention and the feed-forward parallel adapter of size rank with s = 4, the two rows before together); and
     * ZeroI2V's linear adapters of size rank before {@code qkv} and {@code fc1} and after {@code proj} and {@code fc2}
     * (s = 0.5, dropout 0.1, as the paper).
     * @param rank The rank, bottleneck size, number of virtual tokens and prefix length.
     * @return Specs by method name.
     */
    static Map<String, AdapterSpec> sequenceMethods(int rank) {
        Map<String, AdapterSpec> out = new LinkedHashMap<>();
        out.put("lora", new LoraSpec(AdapterTargets.modules("qkv", "proj", "fc1", "fc2").saving("head"), rank, 2.0 * rank));
        out.put("bottleneck-houlsby", new BottleneckSpec(BottleneckArchitecture.HOULSBY.targets().saving("head"),
                BottleneckPlacement.SEQUENTIAL, rank, 1.0));
        out.put("bottleneck-parallel-ffn", new BottleneckSpec(BottleneckArchitecture.PFEIFFER.targets().saving("head"),
                BottleneckPlacement.PARALLEL, rank, 4.0));
        out.put("prompt-tuning", new PromptTuningSpec(AdapterTargets.modules("blocks").saving("head"), rank, 0.02));
        out.put("prefix-tuning", new PrefixTuningSpec(AdapterTargets.modules("attn").saving("head"), rank, 0.02, 0));
        out.put("prefix-tuning-mlp", new PrefixTuningSpec(AdapterTargets.modules("attn").saving("head"), rank, 0.02,
                4 * rank));
        out.put("mam", new MamAdapterSpec(AdapterTargets.modules("attn", "mlp").saving("head"), rank, 0.02, rank, 4.0));
        out.put("zeroi2v-linear", new ZeroI2VSpec(AdapterTargets.modules("qkv", "proj", "fc1", "fc2").saving("head"),
                List.of("proj", "fc2"), rank, 0.5, 0.1));
        return out;
    }

    /**
     * Runs every comparison.
     * @param methods The adapter methods, by name.
     * @param out Receives one map per run.
     */
    void run(Map<String, AdapterSpec> methods, Consumer<Map<String, Object>> out) {
        Map<String, TensorData> sourceWeights;
        try (Network network = this.network.build(5, seed)) {
            double seconds = sum(BenchmarkRuns.train(network, source[0], sourceEpochs, batchSize, fullLearningRate, seed));
            long weights = network.countWeights(false);
            out.accept(line("source", network, source, sourceEpochs, new TrainableSummary(weights, weights), seconds));
            sourceWeights = network.stateDict();
        }
        try (Network network = start(sourceWeights)) {
            long weights = network.countWeights(false);
            double seconds = sum(BenchmarkRuns.train(network, target[0], epochs, batchSize, fullLearningRate, seed));
            out.accept(line("full-fine-tuning", network, target, epochs, new TrainableSummary(weights, weights), seconds));
        }
        try (PeftNetwork peft = PeftNetwork.wrap(start(sourceWeights))) {
            for (Parameter p : peft.network().layer("head").parameters().values()) {
                p.setTrainable(true);
            }
            TrainableSummary summary = peft.trainableSummary();
            double seconds = sum(BenchmarkRuns.train(peft.network(), target[0], epochs, batchSize, learningRate, seed));
            out.accept(line("head-only", peft.network(), target, epochs, summary, seconds));
        }
        for (Map.Entry<String, AdapterSpec> method : methods.entrySet()) {
            if (method.getValue() instanceof DifforaSpec) {
                out.accept(diffora(method.getKey(), method.getValue(), sourceWeights));
                continue;
            }
            try (PeftNetwork peft = PeftNetwork.wrap(start(sourceWeights))) {
                long started = System.nanoTime();
                SptSelection selection = null;
                if (method.getValue() instanceof SptSpec) {
                    SptSpec spt = (SptSpec) method.getValue();
                    selection = SptTrainer.addSelectedAdapter(peft, "default", spt, 5, seed, target[0], sensitivityBatches(),
                            sptBudget(peft.network(), spt), SPT_ALPHA);
                } else {
                    peft.addAdapter("default", method.getValue(), 5, seed);
                }
                double preparation = (System.nanoTime() - started) / 1e9;
                peft.setActiveAdapters(List.of("default"));
                peft.setTrainable("default");
                TrainableSummary summary = peft.trainableSummary();
                double seconds = preparation + sum(BenchmarkRuns.train(peft.network(), target[0], epochs, batchSize, seed,
                        plan -> peft.createOptimiser("default", new AdamOptimiserFactory(learningRate), plan),
                        peft.withPenalty("default", BatchObjective.crossEntropy())));
                Map<String, Object> line = line(method.getKey(), peft.network(), target, epochs, summary, seconds);
                line.put("spec", method.getValue().toString());
                line.put("module_ranks", peft.ranks("default"));
                if (selection != null) {
                    // SPT stores dense masked differences; the values it tunes are the selection and the head
                    long head = sourceWeights.get("head.weight").numElements() + sourceWeights.get("head.bias").numElements();
                    line.put("tuned_params", selection.trainable() + head);
                    line.put("spt_budget", selection.budget());
                    line.put("spt_lora_layers", selection.loraLayers());
                    line.put("spt_selected_per_layer", selection.counts());
                }
                out.accept(line);
            }
        }
    }

    /**
     * DiffoRA's row: {@code epochs / 2} rounds of alternating search (weights on one half of the training data, module
     * logits on the other; together one pass over the data per round), then the rest of the epochs fine-tuning the
     * discretised LoRA adapter on all of it. The trainable count is the discretised adapter's; the time covers both.
     */
    private Map<String, Object> diffora(String name, AdapterSpec spec, Map<String, TensorData> sourceWeights) {
        int searchEpochs = Math.max(1, epochs / 2);
        try (PeftNetwork peft = PeftNetwork.wrap(start(sourceWeights))) {
            peft.addAdapter("default", spec, 5, seed);
            peft.setActiveAdapters(List.of("default"));
            peft.setTrainable("default");
            long searchTrainable = peft.trainableSummary().trainable();
            long started = System.nanoTime();
            DifforaSearch.Result result = new DifforaSearch(searchEpochs, Math.max(1, epochs - searchEpochs), batchSize,
                    0.5, DIFFORA_MASK_LEARNING_RATE).run(peft, "default", new AdamOptimiserFactory(learningRate), target[0],
                    BatchObjective.crossEntropy(), new SplittableRandom(seed), TrainingListener.NONE);
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Object> line = line(name, peft.network(), target, epochs, peft.trainableSummary(), seconds);
            line.put("search_trainable_params", searchTrainable);
            line.put("importances", result.importances().toString());
            line.put("selected", result.selected().toString());
            line.put("spec", spec.toString());
            return line;
        }
    }

    /**
     * The methods named in a selection, in the order given.
     * @param methods Every method, by name.
     * @param names The names to keep; empty keeps every method.
     * @return The selected methods.
     * @throws IllegalArgumentException naming an unknown method and the known ones.
     */
    static Map<String, AdapterSpec> select(Map<String, AdapterSpec> methods, List<String> names) {
        if (names.isEmpty()) {
            return methods;
        }
        Map<String, AdapterSpec> out = new LinkedHashMap<>();
        for (String name : names) {
            AdapterSpec spec = methods.get(name);
            if (spec == null) {
                throw new IllegalArgumentException("--methods names an unknown method '" + name + "'; known: "
                        + methods.keySet());
            }
            out.put(name, spec);
        }
        return out;

    }

    /** SPT's alpha, the authors' default. */
    private static final double SPT_ALPHA = 5.0;

    /** SPT's sensitivity batches: the authors' 8, from a seeded shuffle of the target data. */
    private List<int[]> sensitivityBatches() {
        int[] order = TensorDataset.permutation(target[0].size(), new SplittableRandom(seed));
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < order.length && batches.size() < 8; start += batchSize) {
            batches.add(Arrays.copyOfRange(order, start, Math.min(start + batchSize, order.length)));
        }
        return batches;
    }

    /** SPT's budget: half the parameters of LoRA at the spec's rank on the targeted layers, {@code sum r (d_in + d_out) / 2}. */
    static long sptBudget(Network network, SptSpec spec) {
        long budget = 0;
        for (String layer : spec.targets().modules()) {
            budget += SptSelection.loraParameters(network.parameters().get(layer + ".weight").shape().getShape(),
                    spec.loraRank());
        }
        return budget / 2;
    }

    private Network start(Map<String, TensorData> weights) {
        Network network = this.network.assemble(5);
        network.loadStateDict(weights, true);
        return network;
    }

    private Map<String, Object> line(String method, Network network, TensorDataset[] data, int runEpochs,
                                     TrainableSummary summary, double seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", "peft");
        out.put("mode", "quality");
        out.put("model", model);
        out.put("method", method);
        out.put("task", method.equals("source") ? "classes 0-4" : "classes 0-4 -> 5-9");
        out.put("train_examples", data[0].size());
        out.put("test_examples", data[1].size());
        out.put("epochs", runEpochs);
        out.put("trainable_params", summary.trainable());
        out.put("all_params", summary.all());
        out.put("trainable_percent", Math.round(summary.percent() * 10000) / 10000.0);
        out.put("accuracy", Math.round(Evaluation.lossAndAccuracy(network, data[1])[1] * 10000) / 10000.0);
        out.put("train_seconds", Math.round(seconds * 10) / 10.0);
        return out;
    }

    private static double sum(double[] values) {
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return total;
    }
}
