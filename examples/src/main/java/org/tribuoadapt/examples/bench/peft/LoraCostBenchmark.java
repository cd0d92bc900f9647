package org.tribuoadapt.examples.bench.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.GradientClipper;
import org.tribuoadapt.examples.bench.core.BenchmarkOptions;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The {@code lora-cost} mode of {@code bench peft}: how the cost and the size of the LoRA adapter gradient grow with
 * the rank and with the scale of the input, the quantities whose norms decide the efficiency of LoRA gradient
 * computation in Hu et al. 2025, "Computational Limits of Low-Rank Adaptation (LoRA) Fine-Tuning for Transformer
 * Models" (arXiv:2406.03136). A randomly initialised sequence Transformer ({@link TransformerSpec#forSequences}) gets
 * LoRA (alpha = 2 r) on the attention's fused query/key/value projection {@code qkv} of every block; a fixed batch of
 * standard normal inputs, multiplied by the scale, and random labels then go through one forward and backward pass of
 * the cross-entropy loss per repetition. Each measurement reports the median time of the repetitions (after one
 * warm-up pass), the global L2 norm of the adapter gradient, the largest absolute entry of the {@code qkv} outputs
 * (the paper's max-norm of {@code X W} for the query, key and value weights) against {@code sqrt(log L)} for the
 * sequence length L, and whether the loss or the gradient stopped being finite.
 */
final class LoraCostBenchmark {

    private final TransformerSpec spec;
    private final int tokens;
    private final int dim;
    private final int batchSize;
    private final int repeats;
    private final long seed;

    /**
     * @param tokens The sequence length L.
     * @param tokenWidth The width of each input token.
     * @param dim The model width.
     * @param batchSize The sequences per pass.
     * @param repeats The timed repetitions per measurement.
     * @param seed The seed of the network, the adapter, the inputs and the labels.
     */
    LoraCostBenchmark(int tokens, int tokenWidth, int dim, int batchSize, int repeats, long seed) {
        if (tokens < 2 || tokenWidth < 1 || dim < 4 || dim % 4 != 0 || batchSize < 1 || repeats < 1) {
            throw new IllegalArgumentException("lora-cost needs --tokens >= 2, --token-width >= 1, --dim a positive "
                    + "multiple of 4 (four heads), --batch >= 1 and --repeats >= 1, found " + tokens + ", " + tokenWidth
                    + ", " + dim + ", " + batchSize + " and " + repeats);
        }
        this.spec = TransformerSpec.forSequences(tokens * tokenWidth, tokenWidth, dim, 2, 4, 2 * dim);
        this.tokens = tokens;
        this.dim = dim;
        this.batchSize = batchSize;
        this.repeats = repeats;
        this.seed = seed;
    }

    /**
     * Measures every pair of rank and input scale.
     * @param ranks The LoRA ranks.
     * @param scales The factors the inputs are multiplied by.
     * @param out Receives one map per pair.
     */
    void run(List<Integer> ranks, List<Double> scales, Consumer<Map<String, Object>> out) {
        if (ranks.isEmpty() || ranks.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("--ranks needs positive ranks, found " + ranks);
        }
        if (scales.isEmpty() || scales.stream().anyMatch(s -> !Double.isFinite(s) || s <= 0)) {
            throw new IllegalArgumentException("--scales needs positive finite numbers, found " + scales);
        }
        TensorDataset data = randomData();
        int[] all = new int[batchSize];
        Arrays.setAll(all, i -> i);
        for (int rank : ranks) {
            try (PeftNetwork peft = PeftNetwork.wrap(spec.build(10, seed))) {
                peft.addAdapter("default", new LoraSpec(AdapterTargets.modules("qkv"), rank, 2.0 * rank), 10, seed);
                peft.setActiveAdapters(List.of("default"));
                peft.setTrainable("default");
                List<Parameter> adapter = peft.network().trainableParameters();
                for (double scale : scales) {
                    out.accept(measure(peft, adapter, data, all, rank, scale));
                }
            }
        }
    }

    private TensorDataset randomData() {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] features = new float[batchSize * (int) spec.inputShape().size()];
        int[] labels = new int[batchSize];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rng.nextGaussian();
        }
        Arrays.setAll(labels, i -> rng.nextInt(10));
        return new TensorDataset(features, labels, spec.inputShape());
    }

    private Map<String, Object> measure(PeftNetwork peft, List<Parameter> adapter, TensorDataset data, int[] all, int rank,
                                        double scale) {
        List<Double> seconds = new ArrayList<>();
        double gradientNorm = Double.NaN;
        double loss = Double.NaN;
        double[] qkvMaxAbs = {0};
        for (int i = -1; i < repeats; i++) {
            try (NDManager batch = peft.network().manager().newSubManager(); NDScope ignored = new NDScope()) {
                NDArray x = data.features(batch, all).mul(scale);
                NDArray labels = data.labels(batch, all);
                ForwardContext context = ForwardContext.training(batch).withObserver((layer, input, output) -> {
                    if (layer.path().endsWith("attn.qkv")) {
                        qkvMaxAbs[0] = Math.max(qkvMaxAbs[0], output.abs().max().getFloat());
                    }
                });
                long start = System.nanoTime();
                NDArray value;
                try (GradientMode recording = GradientMode.enabled()) {
                    value = BatchObjective.crossEntropy().loss(peft.network(), x, labels, context);
                    GradientMode.backward(value);
                }
                if (i >= 0) {
                    seconds.add((System.nanoTime() - start) / 1e9);
                }
                loss = value.getFloat();
                gradientNorm = GradientClipper.clip(adapter, Double.POSITIVE_INFINITY);
                for (Parameter p : adapter) {
                    GradientMode.zeroGradient(p.array());
                }
            }
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("benchmark", "peft");
        line.put("mode", "lora-cost");
        line.put("model", "transformer");
        line.put("tokens", tokens);
        line.put("dim", dim);
        line.put("batch", batchSize);
        line.put("threads", DjlRuntime.intraOpThreads());
        line.put("rank", rank);
        line.put("input_scale", scale);
        line.put("trainable_params", peft.network().countWeights(true));
        line.put("repeats", repeats);
        line.put("median_forward_backward_ms", Math.round(BenchmarkOptions.median(seconds) * 1e6) / 1000.0);
        line.put("loss", loss);
        line.put("adapter_grad_norm", gradientNorm);
        line.put("qkv_max_abs", qkvMaxAbs[0]);
        line.put("sqrt_log_tokens", Math.round(Math.sqrt(Math.log(tokens)) * 1000) / 1000.0);
        line.put("finite", Double.isFinite(loss) && Double.isFinite(gradientNorm) && Float.isFinite((float) qkvMaxAbs[0]));
        return line;
    }
}
