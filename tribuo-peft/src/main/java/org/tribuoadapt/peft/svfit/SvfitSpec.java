package org.tribuoadapt.peft.svfit;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * SVFit (Sun et al. 2024, "SVFit: Parameter-Efficient Fine-Tuning of Large Pre-Trained Models Using Singular
 * Values"): the frozen weight is split by its singular value decomposition into its best rank-r
 * approximation and a residual, {@code W0 = U_r diag(S_r) V_r^T + W_e}, and only the r singular values train, starting
 * at {@code S_r} (so the adapter starts as a no-op). Convolution kernels are decomposed flattened to
 * {@code [out, in k k]}. Trainable values per layer: r. The adapter file uses our own {@code peft_type}
 * {@value #PEFT_TYPE} with the field {@code r}, and stores the singular vectors, so loading does not repeat the SVD.
 */
public final class SvfitSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "SVFIT";

    @Config(description = "How many of the largest singular values of each weight train.")
    private int rank = 8;

    /** For OLCUT. */
    private SvfitSpec() {}

    /**
     * Creates an SVFit spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank How many singular values train per layer; at most {@code min(out, fanIn)} of every target.
     */
    public SvfitSpec(AdapterTargets targets, int rank) {
        super(targets);
        this.rank = rank;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new SvfitModule(target, context.manager(), rank);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig().put("r", rank);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static SvfitSpec fromPeftConfig(PeftConfigJson json) {
        return new SvfitSpec(readTargets(json), json.integer("r", 8));
    }

    @Override
    public String toString() {
        return "SvfitSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ")";
    }
}
