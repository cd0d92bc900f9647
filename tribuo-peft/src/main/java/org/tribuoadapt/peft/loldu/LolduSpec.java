package org.tribuoadapt.peft.loldu;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * LoLDU (Shi et al. 2024, "LoLDU: Low-Rank Adaptation via Lower-Diag-Upper Decomposition for Parameter-Efficient
 * Fine-Tuning"): the frozen weight's pivoted LDU decomposition {@code W0 = P L D U} gives fixed, well
 * conditioned factors; the first r of them are kept and {@code W = W_res + s P L_r diag(z) U_r}, with the residual
 * {@code W_res = W0 - s0 P L_r diag(z0) U_r} so that the adapter starts as a no-op. Only the r diagonal values
 * {@code z} (starting at the first r pivots {@code z0}) and the scalar {@code s} (starting at {@code s0 = alpha / r}, the
 * authors' {@code lora_alpha / rank}) train. Convolution kernels are decomposed flattened to {@code [out, in k k]}.
 * Trainable values per layer: {@code r + 1}. The adapter file uses our own {@code peft_type} {@value #PEFT_TYPE} with
 * the fields {@code r} and {@code loldu_alpha}, and stores the factors.
 */
public final class LolduSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "LOLDU";

    @Config(description = "How many LDU factors of each weight are kept (the number of trained diagonal values).")
    private int rank = 8;

    @Config(description = "The initial scaling is alpha / r.")
    private double alpha = 1.0;

    /** For OLCUT. */
    private LolduSpec() {}

    /**
     * Creates a LoLDU spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank How many factors are kept; at most {@code min(out, fanIn)} of every target.
     * @param alpha The initial scaling is {@code alpha / rank}.
     */
    public LolduSpec(AdapterTargets targets, int rank, double alpha) {
        super(targets);
        this.rank = rank;
        this.alpha = alpha;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("alpha", alpha);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new LolduModule(target, context.manager(), rank, alpha);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig().put("r", rank).put("loldu_alpha", alpha);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static LolduSpec fromPeftConfig(PeftConfigJson json) {
        return new LolduSpec(readTargets(json), json.integer("r", 8), json.number("loldu_alpha", 1.0));
    }

    @Override
    public String toString() {
        return "LolduSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha + ")";
    }
}
