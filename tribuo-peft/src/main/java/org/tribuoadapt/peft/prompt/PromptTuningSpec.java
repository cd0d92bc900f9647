package org.tribuoadapt.peft.prompt;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.Optional;

/**
 * Prompt tuning (Lester et al. 2021, "The Power of Scale for Parameter-Efficient Prompt Tuning"; the prompt form of
 * He et al. 2022): {@code n} learned virtual tokens {@code P} ({@code [n, d]}) are prepended to the token sequence
 * that a Transformer's blocks read. The target is the stack of blocks ({@code blocks} in core's
 * {@code TransformerSpec}, a {@link TargetLayer.Kind#TOKEN_ENCODER}): the blocks read {@code [P; x]}, where
 * {@code x} is the input embedded with its position embedding (the prompt tokens have none, as in visual prompt
 * tuning), and the final norm, the mean pooling and the head read the blocks' outputs at the input's positions only,
 * so the classifier averages the same {@code T} tokens as before and the prompt acts through attention. The base
 * network is unchanged; the prompt is drawn from {@code N(0, initialStd^2)} (the position embedding's initialisation),
 * so unlike the other methods the adapter changes the outputs from the start.
 * <p>
 * The prompt changes the sequence length inside the blocks, which no change of the base weights computes, so it cannot
 * be merged. PEFT's {@code PROMPT_TUNING} prepends to a Hugging Face model's word embeddings and is not this format:
 * the adapter files hold this project's {@code peft_type} {@value #PEFT_TYPE} with the tensor
 * {@code base_model.model.<blocks>.prompt_embeddings}. Trainable values: {@code n d}.
 */
public final class PromptTuningSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "SEQUENCE_PROMPT_TUNING";

    /** Why the adapters cannot be merged. */
    static final String NOT_MERGEABLE = "a prompt lengthens the sequence the Transformer blocks read, which no change of "
            + "the base weights computes";

    @Config(description = "The number n of virtual tokens prepended to the sequence.")
    private int virtualTokens = 8;

    @Config(description = "The standard deviation of the prompt's initial values (drawn from a normal distribution).")
    private double initialStd = 0.02;

    /** For OLCUT. */
    private PromptTuningSpec() {}

    /**
     * Creates a prompt tuning spec for core's Transformer, whose stack of blocks is {@code blocks}.
     * @param virtualTokens The number n of virtual tokens.
     */
    public PromptTuningSpec(int virtualTokens) {
        this(AdapterTargets.modules("blocks"), virtualTokens, 0.02);
    }

    /**
     * Creates a prompt tuning spec.
     * @param targets The stack of Transformer blocks (and modules to save).
     * @param virtualTokens The number n of virtual tokens.
     * @param initialStd The standard deviation of the initial prompt.
     */
    public PromptTuningSpec(AdapterTargets targets, int virtualTokens, double initialStd) {
        super(targets);
        this.virtualTokens = virtualTokens;
        this.initialStd = initialStd;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("virtualTokens", virtualTokens);
        if (!(initialStd >= 0) || Double.isInfinite(initialStd)) {
            throw new PropertyException("", "initialStd", "initialStd must be non-negative and finite, found " + initialStd);
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /** Adapts stacks of Transformer blocks only. */
    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.TOKEN_ENCODER;
    }

    @Override
    public Optional<String> unmergeableReason() {
        return Optional.of(NOT_MERGEABLE);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new PromptTuningModule(target, context.manager(), virtualTokens, initialStd, context.streamFor(target));
    }

    /** @return The number n of virtual tokens. */
    public int virtualTokens() {
        return virtualTokens;
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("num_virtual_tokens", virtualTokens)
                .put("initial_std", initialStd);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static PromptTuningSpec fromPeftConfig(PeftConfigJson json) {
        return new PromptTuningSpec(readTargets(json), json.integer("num_virtual_tokens", 8), json.number("initial_std", 0.02));
    }

    @Override
    public String toString() {
        return "PromptTuningSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",virtualTokens="
                + virtualTokens + ",initialStd=" + initialStd + ")";
    }
}
