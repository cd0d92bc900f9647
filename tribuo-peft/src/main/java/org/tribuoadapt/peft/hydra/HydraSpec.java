package org.tribuoadapt.peft.hydra;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

/**
 * Hydra (Kim et al. 2024, "Hydra: Multi-head Low-rank Adaptation for Parameter Efficient Fine-tuning"):
 * {@code y = W0 x + b0 + s ((Bp Ap x + bp) + (Bs As (W0 x + b0) + bs))}, a parallel low-rank branch on the layer's input
 * (as LoRA) and a sequential one on the frozen layer's output, which learns a linear combination of the pre-trained
 * features. The branches have their own ranks ({@code parallelRank} and {@code sequentialRank}; 0 takes {@code rank}).
 * Both down-projections {@code A} start xavier-uniform, both up-projections {@code B} and their biases {@code bp},
 * {@code bs} at zero, so the adapter starts as a no-op; dropout acts on the hidden values of both branches, as in the
 * authors' code. It merges as {@code W = W0 + s (Bp Ap + Bs As W0)} and {@code b = b0 + s (Bs As b0 + bp + bs)} (the
 * authors' {@code reparameterize}). The branch biases ({@code bias}, on by default) are only added to layers that have
 * a bias, where the merge can fold them in.
 * <p>
 * On a Conv2d layer {@code Ap} is a convolution with the base kernel, stride and padding and the other three factors
 * are 1x1 convolutions. Trainable values per layer: {@code rp fanIn + rp out + 2 rs out}, plus {@code 2 out} for the
 * biases. The adapter file uses our own {@code peft_type} {@value #PEFT_TYPE} (PEFT has no Hydra tuner) with the fields
 * {@code r}, {@code parallel_r}, {@code sequential_r}, {@code scale}, {@code hydra_dropout} and {@code hydra_bias}. Files
 * written before the separate ranks and the biases have neither: both branches take {@code r} and there are no biases.
 */
public final class HydraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "HYDRA";

    @Config(description = "The rank r of the branches whose own rank is 0.")
    private int rank = 8;

    @Config(description = "The rank of the parallel branch; 0 takes rank.")
    private int parallelRank = 0;

    @Config(description = "The rank of the sequential branch; 0 takes rank.")
    private int sequentialRank = 0;

    @Config(description = "The scale s of both branches.")
    private double scale = 1.0;

    @Config(description = "Dropout probability on the hidden values of both branches.")
    private double dropout = 0.0;

    @Config(description = "Give both branches a trainable zero-initialised bias (on layers that have a bias).")
    private boolean bias = true;

    /** For OLCUT. */
    private HydraSpec() {}

    /**
     * Creates a Hydra spec with one rank for both branches, biases and no dropout.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank of both branches.
     * @param scale The scale of both branches.
     */
    public HydraSpec(AdapterTargets targets, int rank, double scale) {
        this(targets, rank, rank, scale, 0.0, true);
    }

    /**
     * Creates a Hydra spec with one rank for both branches and biases.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank of both branches.
     * @param scale The scale of both branches.
     * @param dropout Dropout on the hidden values.
     */
    public HydraSpec(AdapterTargets targets, int rank, double scale, double dropout) {
        this(targets, rank, rank, scale, dropout, true);
    }

    /**
     * Creates a Hydra spec.
     * @param targets The layers to adapt (and modules to save).
     * @param parallelRank The rank of the parallel branch.
     * @param sequentialRank The rank of the sequential branch.
     * @param scale The scale of both branches.
     * @param dropout Dropout on the hidden values.
     * @param bias Whether the branches have biases.
     */
    public HydraSpec(AdapterTargets targets, int parallelRank, int sequentialRank, double scale, double dropout,
                     boolean bias) {
        super(targets);
        this.rank = Math.max(parallelRank, sequentialRank);
        this.parallelRank = parallelRank;
        this.sequentialRank = sequentialRank;
        this.scale = scale;
        this.dropout = dropout;
        this.bias = bias;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        if (parallelRank < 0) {
            throw new PropertyException("", "parallelRank", "parallelRank must be positive, or 0 to take rank, found "
                    + parallelRank);
        }
        if (sequentialRank < 0) {
            throw new PropertyException("", "sequentialRank", "sequentialRank must be positive, or 0 to take rank, found "
                    + sequentialRank);
        }
        requirePositive("scale", scale);
        requireDropout("dropout", dropout);
    }

    /**
     * The rank of the parallel branch.
     * @return {@code parallelRank}, or {@code rank} when it is 0.
     */
    public int parallelRank() {
        return parallelRank > 0 ? parallelRank : rank;
    }

    /**
     * The rank of the sequential branch.
     * @return {@code sequentialRank}, or {@code rank} when it is 0.
     */
    public int sequentialRank() {
        return sequentialRank > 0 ? sequentialRank : rank;
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new HydraModule(target, context.manager(), parallelRank(), sequentialRank(), scale, dropout,
                bias && target.bias() != null, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("parallel_r", parallelRank())
                .put("sequential_r", sequentialRank())
                .put("scale", scale)
                .put("hydra_dropout", dropout)
                .put("hydra_bias", bias);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}; in files written before the separate ranks and the
     * biases, both branches take {@code r} and there are no biases.
     * @param json The configuration.
     * @return The spec.
     */
    public static HydraSpec fromPeftConfig(PeftConfigJson json) {
        int r = json.integer("r", 8);
        return new HydraSpec(readTargets(json), json.integer("parallel_r", r), json.integer("sequential_r", r),
                json.number("scale", 1.0), json.number("hydra_dropout", 0.0), json.bool("hydra_bias", false));
    }

    @Override
    public String toString() {
        return "HydraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",parallelRank="
                + parallelRank + ",sequentialRank=" + sequentialRank + ",scale=" + scale + ",dropout=" + dropout
                + ",bias=" + bias + ")";
    }
}
