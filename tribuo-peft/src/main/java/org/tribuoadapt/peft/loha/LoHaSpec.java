package org.tribuoadapt.peft.loha;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lycoris.LycorisOptions;
import org.tribuoadapt.peft.lycoris.LycorisSpec;

/**
 * LoHa (Hyeon-Woo et al. 2022, FedPara eq. 2, as in LyCORIS): the weight update is the Hadamard product of two
 * low-rank products, {@code dW = (W1a W1b) ⊙ (W2a W2b) * alpha / r}, which reaches rank {@code r^2} with
 * {@code 2 r (in + out)} values. Convolution kernels are flattened to {@code [out, in k k]}, or with
 * {@code useEffectiveConv2d} rebuilt from CP cores. PEFT's {@code LoHaConfig}; {@code hada_w2_b} starts at zero so the
 * adapter starts as a no-op.
 */
public final class LoHaSpec extends LycorisSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "LOHA";

    @Config(description = "Start with hada_w2_b = 0 (a no-op); false draws every factor at random.")
    private boolean initWeights = true;

    /** For OLCUT. */
    private LoHaSpec() {}

    /**
     * Creates a LoHa spec.
     * @param targets The layers to adapt.
     * @param options Rank, alpha, dropouts, CP decomposition and patterns.
     * @param initWeights Start as a no-op.
     */
    public LoHaSpec(AdapterTargets targets, LycorisOptions options, boolean initWeights) {
        super(targets, options);
        this.initWeights = initWeights;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateLycoris();
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        String path = target.path();
        return new LoHaModule(target, context.manager(), rank(path), scaling(path), rankDropout(), moduleDropout(),
                usesCpDecomposition(target), initWeights, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return lycorisPeftConfig().put("init_weights", initWeights);
    }

    /**
     * Reads PEFT's {@code LoHaConfig}.
     * @param json The configuration.
     * @return The spec.
     */
    public static LoHaSpec fromPeftConfig(PeftConfigJson json) {
        return new LoHaSpec(readTargets(json), LycorisOptions.fromPeftConfig(json), json.bool("init_weights", true));
    }

    @Override
    public String toString() {
        return "LoHaSpec(" + describeLycoris() + ",initWeights=" + initWeights + ")";
    }
}
