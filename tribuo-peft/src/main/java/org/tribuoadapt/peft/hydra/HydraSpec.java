package org.tribuoadapt.peft.hydra;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * Hydra (Kim et al. 2024, "Hydra: Multi-head Low-rank Adaptation for Parameter Efficient Fine-tuning"):
 * {@code y = W0 x + b0 + s (Bp Ap x + Bs As (W0 x + b0))}, a parallel low-rank branch on the layer's input (as LoRA)
 * and a sequential one on the frozen layer's output, which learns a linear combination of the pre-trained features.
 * Both down-projections {@code A} start xavier-uniform and both up-projections {@code B} at zero, so the adapter
 * starts as a no-op; dropout acts on the rank-r hidden values of both branches, as in the authors' code. It merges as
 * {@code W = W0 + s (Bp Ap + Bs As W0)} and {@code b = b0 + s Bs As b0} (the authors' {@code reparameterize}).
 * <p>
 * On a Conv2d layer {@code Ap} is a convolution with the base kernel, stride and padding and the other three factors
 * are 1x1 convolutions. Trainable values per layer: {@code r (fanIn + 3 out)}. The adapter file uses our own
 * {@code peft_type} {@value #PEFT_TYPE} (PEFT has no Hydra tuner) with the fields {@code r}, {@code scale} and
 * {@code hydra_dropout}.
 */
public final class HydraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "HYDRA";

    @Config(description = "The rank r of both branches.")
    private int rank = 8;

    @Config(description = "The scale s of both branches.")
    private double scale = 1.0;

    @Config(description = "Dropout probability on the rank-r hidden values of both branches.")
    private double dropout = 0.0;

    /** For OLCUT. */
    private HydraSpec() {}

    /**
     * Creates a Hydra spec without dropout.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank of both branches.
     * @param scale The scale of both branches.
     */
    public HydraSpec(AdapterTargets targets, int rank, double scale) {
        this(targets, rank, scale, 0.0);
    }

    /**
     * Creates a Hydra spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank of both branches.
     * @param scale The scale of both branches.
     * @param dropout Dropout on the hidden values.
     */
    public HydraSpec(AdapterTargets targets, int rank, double scale, double dropout) {
        super(targets);
        this.rank = rank;
        this.scale = scale;
        this.dropout = dropout;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("scale", scale);
        requireDropout("dropout", dropout);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new HydraModule(target, context.manager(), rank, scale, dropout, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("scale", scale)
                .put("hydra_dropout", dropout);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static HydraSpec fromPeftConfig(PeftConfigJson json) {
        return new HydraSpec(readTargets(json), json.integer("r", 8), json.number("scale", 1.0),
                json.number("hydra_dropout", 0.0));
    }

    @Override
    public String toString() {
        return "HydraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",scale=" + scale
                + ",dropout=" + dropout + ")";
    }
}
