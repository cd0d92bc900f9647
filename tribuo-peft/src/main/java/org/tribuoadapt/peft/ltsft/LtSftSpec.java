package org.tribuoadapt.peft.ltsft;

import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * The sparse parameter difference LT-SFT learns (Ansell et al. 2022, "Composable Sparse Fine-Tuning for Cross-Lingual
 * Transfer"): for every targeted layer, {@code theta = theta_0 + mask ⊙ delta} over its weight and bias
 * ({@link SparseDifferenceModule}). {@link LtSftTrainer} runs the two-phase procedure that chooses the masks; several
 * such adapters active together add their differences, which is how LT-SFT composes fine-tunings. Modules to save
 * (a new head) are trained fully, as the authors' non-maskable parameters. Targets may be Linear, Conv2d, BatchNorm
 * and LayerNorm layers (BatchNorm statistics stay the base's).
 * <p>
 * The adapter file uses our own {@code peft_type} {@value #PEFT_TYPE}; its tensors are the dense differences and the
 * 0/1 masks of each layer ({@code sft_delta.weight}, {@code sft_mask.weight}, ...), whose nonzero entries are the
 * sparse difference.
 */
public final class LtSftSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "LT_SFT";

    /** For OLCUT. */
    private LtSftSpec() {}

    /**
     * Creates a spec.
     * @param targets The layers whose parameters are sparsely fine-tuned (and the modules trained fully).
     */
    public LtSftSpec(AdapterTargets targets) {
        super(targets);
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return true;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new SparseDifferenceModule(target, context.manager());
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig();
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static LtSftSpec fromPeftConfig(PeftConfigJson json) {
        return new LtSftSpec(readTargets(json));
    }

    @Override
    public String toString() {
        return "LtSftSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ")";
    }
}
