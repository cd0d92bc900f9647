package org.tribuoadapt.peft.prefix;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prefix tuning (Li and Liang 2021, "Prefix-Tuning: Optimizing Continuous Prompts for Generation"; the prefix form of
 * He et al. 2022): every targeted attention layer runs with {@code l} learned key and value positions before the
 * sequence's own, {@code softmax(q [P_K; K]^T / sqrt(d_h)) [P_V; V]} per head, so every token attends to the prefix
 * as well. The targets are the attention branches of Transformer blocks ({@code attn}). With
 * {@code projectionHiddenSize} h > 0 the prefixes are reparameterised during training, as the paper does for stable
 * optimisation: {@code [P_K, P_V] = tanh(E W1^T + b1) W2^T + b2} from a smaller embedding {@code E} per layer; when the
 * adapter is exported (saved, or kept in a trained model) the projection is folded away into plain prefixes, and
 * the exported spec has h = 0. The initial values are drawn from {@code N(0, initialStd^2)} (the embedding's, with the
 * reparameterisation; its projection starts as PyTorch's Linear default), so the adapted network differs from the
 * base from the start.
 * <p>
 * The prefixes change the attention's softmax, which no change of the base weights computes, so the adapter cannot be
 * merged. PEFT's {@code PREFIX_TUNING} feeds {@code past_key_values} to a Hugging Face model and is not this format:
 * the adapter files hold this project's {@code peft_type} {@value #PEFT_TYPE} with the tensors
 * {@code base_model.model.<attn>.prefix_keys} and {@code .prefix_values} ({@code [l, d]}). Trainable values per layer
 * of width d: {@code 2 l d}; reparameterised, {@code l d + h d + h + 2 d h + 2 d}.
 */
public final class PrefixTuningSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "ATTENTION_PREFIX_TUNING";

    static final String KEYS = "prefix_keys";
    static final String VALUES = "prefix_values";
    static final String EMBEDDING = "prefix_embedding";
    static final String HIDDEN_WEIGHT = "prefix_transform.0.weight";
    static final String HIDDEN_BIAS = "prefix_transform.0.bias";
    static final String OUTPUT_WEIGHT = "prefix_transform.2.weight";
    static final String OUTPUT_BIAS = "prefix_transform.2.bias";
    private static final List<String> PROJECTION = List.of(HIDDEN_WEIGHT, HIDDEN_BIAS, OUTPUT_WEIGHT, OUTPUT_BIAS);

    /** Why the adapters cannot be merged. */
    static final String NOT_MERGEABLE = "prefixes add key and value positions to the attention's softmax, which no change "
            + "of the base weights computes";

    @Config(description = "The prefix length l: key and value positions added to every targeted attention layer.")
    private int prefixLength = 8;

    @Config(description = "The standard deviation of the initial prefixes (or of the reparameterisation's embedding).")
    private double initialStd = 0.02;

    @Config(description = "The hidden width h of the reparameterisation MLP used during training; 0 trains the prefixes "
            + "directly. Exported adapters have it folded away (0).")
    private int projectionHiddenSize = 0;

    /** For OLCUT. */
    private PrefixTuningSpec() {}

    /**
     * Creates a prefix tuning spec for every attention layer of core's Transformer ({@code attn}), trained directly.
     * @param prefixLength The prefix length l.
     */
    public PrefixTuningSpec(int prefixLength) {
        this(AdapterTargets.modules("attn"), prefixLength, 0.02, 0);
    }

    /**
     * Creates a prefix tuning spec.
     * @param targets The attention layers (and modules to save).
     * @param prefixLength The prefix length l.
     * @param initialStd The standard deviation of the initial prefixes or embedding.
     * @param projectionHiddenSize The reparameterisation's hidden width, or 0 for none.
     */
    public PrefixTuningSpec(AdapterTargets targets, int prefixLength, double initialStd, int projectionHiddenSize) {
        super(targets);
        this.prefixLength = prefixLength;
        this.initialStd = initialStd;
        this.projectionHiddenSize = projectionHiddenSize;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("prefixLength", prefixLength);
        if (!(initialStd >= 0) || Double.isInfinite(initialStd)) {
            throw new PropertyException("", "initialStd", "initialStd must be non-negative and finite, found " + initialStd);
        }
        if (projectionHiddenSize < 0) {
            throw new PropertyException("", "projectionHiddenSize", "projectionHiddenSize must be 0 (no "
                    + "reparameterisation) or positive, found " + projectionHiddenSize);
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /** Adapts the attention branches of Transformer blocks; the module refuses other branches. */
    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.RESIDUAL_BRANCH;
    }

    @Override
    public Optional<String> unmergeableReason() {
        return Optional.of(NOT_MERGEABLE);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new PrefixTuningModule(target, context.manager(), prefixLength, initialStd, projectionHiddenSize,
                context.streamFor(target));
    }

    /** @return The prefix length l. */
    public int prefixLength() {
        return prefixLength;
    }

    /** @return The reparameterisation's hidden width, 0 for none. */
    public int projectionHiddenSize() {
        return projectionHiddenSize;
    }

    /**
     * Folds the reparameterisation away: each layer's {@code [P_K, P_V] = tanh(E W1^T + b1) W2^T + b2} becomes its
     * {@code prefix_keys} and {@code prefix_values}, and the spec's hidden width becomes 0. Without the
     * reparameterisation the adapter is exported as it is.
     */
    @Override
    public ExportedAdapter export(Map<String, TensorData> tensors) {
        if (projectionHiddenSize == 0) {
            return new ExportedAdapter(this, tensors);
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            String key = e.getKey();
            if (key.endsWith("." + EMBEDDING)) {
                String stem = key.substring(0, key.length() - EMBEDDING.length());
                foldInto(out, stem, tensors);
            } else if (PROJECTION.stream().noneMatch(name -> key.endsWith("." + name))) {
                out.put(key, e.getValue());
            }
        }
        return new ExportedAdapter(new PrefixTuningSpec(targets(), prefixLength, initialStd, 0), out);
    }

    /** Computes one layer's keys and values from its embedding and projection, in double precision. */
    private static void foldInto(Map<String, TensorData> out, String stem, Map<String, TensorData> tensors) {
        TensorData embedding = tensors.get(stem + EMBEDDING);
        float[] e = embedding.toFloatArray();
        float[] w1 = tensors.get(stem + HIDDEN_WEIGHT).toFloatArray();
        float[] b1 = tensors.get(stem + HIDDEN_BIAS).toFloatArray();
        float[] w2 = tensors.get(stem + OUTPUT_WEIGHT).toFloatArray();
        float[] b2 = tensors.get(stem + OUTPUT_BIAS).toFloatArray();
        int l = Math.toIntExact(embedding.shape()[0]);
        int d = Math.toIntExact(embedding.shape()[1]);
        int h = b1.length;
        float[] keys = new float[l * d];
        float[] values = new float[l * d];
        double[] hidden = new double[h];
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < h; j++) {
                double sum = b1[j];
                for (int k = 0; k < d; k++) {
                    sum += (double) w1[j * d + k] * e[i * d + k];
                }
                hidden[j] = Math.tanh(sum);
            }
            for (int o = 0; o < 2 * d; o++) {
                double sum = b2[o];
                for (int j = 0; j < h; j++) {
                    sum += w2[o * h + j] * hidden[j];
                }
                if (o < d) {
                    keys[i * d + o] = (float) sum;
                } else {
                    values[i * d + o - d] = (float) sum;
                }
            }
        }
        out.put(stem + KEYS, TensorData.ofFloats(new long[] {l, d}, keys));
        out.put(stem + VALUES, TensorData.ofFloats(new long[] {l, d}, values));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("num_virtual_tokens", prefixLength)
                .put("initial_std", initialStd)
                .put("prefix_projection", projectionHiddenSize > 0)
                .put("encoder_hidden_size", projectionHiddenSize);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException if {@code prefix_projection} and {@code encoder_hidden_size} disagree.
     */
    public static PrefixTuningSpec fromPeftConfig(PeftConfigJson json) {
        boolean projection = json.bool("prefix_projection", false);
        int hidden = json.integer("encoder_hidden_size", 0);
        if (projection != (hidden > 0)) {
            throw new IllegalArgumentException("prefix_projection (" + projection + ") needs a positive encoder_hidden_size "
                    + "and its absence none, found " + hidden);
        }
        return new PrefixTuningSpec(readTargets(json), json.integer("num_virtual_tokens", 8), json.number("initial_std", 0.02),
                hidden);
    }

    @Override
    public String toString() {
        return "PrefixTuningSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",prefixLength="
                + prefixLength + ",initialStd=" + initialStd + ",projectionHiddenSize=" + projectionHiddenSize + ")";
    }
}
