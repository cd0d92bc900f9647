package org.tribuoadapt.peft.flora;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * FLoRA (Si et al. 2024, "FLoRA: Low-Rank Core Space for N-dimension"): the change of each weight lives in a
 * low-rank core space that keeps the weight's N-dimensional structure, {@code dW = s G x_1 U_1 ... x_N U_N} (a Tucker
 * decomposition). For a Linear layer this is {@code dW = s A G B^T} with an {@code r x r} core; for a Conv2d layer the
 * core has four modes, rank r on the channel modes and {@code min(kernelRank, k)} on the kernel modes. The core starts
 * at zero. Trainable values per layer: {@code r^2 + r (in + out)} for Linear, {@code r^2 rk^2 + r (in + out) + 2 k rk}
 * for Conv2d. The adapter file uses our own {@code peft_type} {@value #PEFT_TYPE} with the fields {@code r},
 * {@code kernel_r}, {@code scale} and {@code flora_dropout}; the authors' example uses {@code r = [16, 16, 2, 2]} with
 * scale 4 on convolutions.
 */
public final class FloraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "FLORA";

    @Config(description = "The rank r of the core on the input and output modes.")
    private int rank = 8;

    @Config(description = "The rank of the core on each kernel mode of a convolution (capped at the kernel size).")
    private int kernelRank = 2;

    @Config(description = "The scale s of the update.")
    private double scale = 1.0;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    /** For OLCUT. */
    private FloraSpec() {}

    /**
     * Creates a FLoRA spec without dropout.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The channel-mode rank.
     * @param kernelRank The kernel-mode rank.
     * @param scale The scale.
     */
    public FloraSpec(AdapterTargets targets, int rank, int kernelRank, double scale) {
        this(targets, rank, kernelRank, scale, 0.0);
    }

    /**
     * Creates a FLoRA spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The channel-mode rank.
     * @param kernelRank The kernel-mode rank.
     * @param scale The scale.
     * @param dropout Dropout on the adapter's input.
     */
    public FloraSpec(AdapterTargets targets, int rank, int kernelRank, double scale, double dropout) {
        super(targets);
        this.rank = rank;
        this.kernelRank = kernelRank;
        this.scale = scale;
        this.dropout = dropout;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("kernelRank", kernelRank);
        requirePositive("scale", scale);
        requireDropout("dropout", dropout);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new FloraModule(target, context.manager(), rank, kernelRank, scale, dropout, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("kernel_r", kernelRank)
                .put("scale", scale)
                .put("flora_dropout", dropout);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static FloraSpec fromPeftConfig(PeftConfigJson json) {
        return new FloraSpec(readTargets(json), json.integer("r", 8), json.integer("kernel_r", 2), json.number("scale", 1.0),
                json.number("flora_dropout", 0.0));
    }

    @Override
    public String toString() {
        return "FloraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",kernelRank="
                + kernelRank + ",scale=" + scale + ",dropout=" + dropout + ")";
    }
}
