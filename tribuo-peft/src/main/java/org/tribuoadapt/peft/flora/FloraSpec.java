package org.tribuoadapt.peft.flora;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FLoRA (Si et al. 2024, "FLoRA: Low-Rank Core Space for N-dimension"): the change of each weight lives in a
 * low-rank core space that keeps the weight's N-dimensional structure, {@code dW = s G x_1 U_1 ... x_N U_N} (a Tucker
 * decomposition with one rank per mode, as the authors' per-dimension list {@code r}). For a Linear layer this is
 * {@code dW = s U_out G^T U_in^T} with an {@code r_in x r_out} core; for a Conv2d layer the core has four modes,
 * {@code [r_in, r_out, r_h, r_w]}, the kernel ranks capped at the kernel size. Each mode's rank is configurable
 * ({@code inRank}, {@code outRank}, {@code kernelHeightRank}, {@code kernelWidthRank}); 0, the default, takes
 * {@code rank} for the channel modes and {@code kernelRank} for the kernel modes. The core starts at zero. Trainable
 * values per layer: {@code r_in r_out + r_in in + r_out out} for Linear, {@code r_in r_out r_h r_w + r_in in + r_out out
 * + k (r_h + r_w)} for Conv2d. The adapter file uses our own {@code peft_type} {@value #PEFT_TYPE} with the fields
 * {@code r}, {@code kernel_r}, {@code in_r}, {@code out_r}, {@code kernel_h_r}, {@code kernel_w_r}, {@code scale} and
 * {@code flora_dropout}; files written before the per-mode ranks have only {@code r} and {@code kernel_r}, which then
 * apply to every mode. The authors' example uses {@code r = [16, 16, 2, 2]} with scale 4 on convolutions.
 */
public final class FloraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "FLORA";

    @Config(description = "The rank r of the input and output modes whose own rank is 0.")
    private int rank = 8;

    @Config(description = "The rank of the kernel modes of a convolution whose own rank is 0 (capped at the kernel size).")
    private int kernelRank = 2;

    @Config(description = "The rank of the input mode; 0 takes rank.")
    private int inRank = 0;

    @Config(description = "The rank of the output mode; 0 takes rank.")
    private int outRank = 0;

    @Config(description = "The rank of a convolution's kernel height mode (capped at the kernel size); 0 takes kernelRank.")
    private int kernelHeightRank = 0;

    @Config(description = "The rank of a convolution's kernel width mode (capped at the kernel size); 0 takes kernelRank.")
    private int kernelWidthRank = 0;

    @Config(description = "The scale s of the update.")
    private double scale = 1.0;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    /** For OLCUT. */
    private FloraSpec() {}

    /**
     * Creates a FLoRA spec without dropout.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank of both channel modes.
     * @param kernelRank The rank of both kernel modes.
     * @param scale The scale.
     */
    public FloraSpec(AdapterTargets targets, int rank, int kernelRank, double scale) {
        this(targets, rank, kernelRank, scale, 0.0);
    }

    /**
     * Creates a FLoRA spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank of both channel modes.
     * @param kernelRank The rank of both kernel modes.
     * @param scale The scale.
     * @param dropout Dropout on the adapter's input.
     */
    public FloraSpec(AdapterTargets targets, int rank, int kernelRank, double scale, double dropout) {
        this(targets, new int[] {rank, rank, kernelRank, kernelRank}, scale, dropout);
    }

    /**
     * Creates a FLoRA spec with one rank per mode.
     * @param targets The layers to adapt (and modules to save).
     * @param modeRanks The ranks of the modes in the order of a Conv2d weight's dimensions {@code [out, in, h, w]}
     * (the authors' {@code r}); Linear layers use the first two.
     * @param scale The scale.
     * @param dropout Dropout on the adapter's input.
     */
    public FloraSpec(AdapterTargets targets, int[] modeRanks, double scale, double dropout) {
        super(targets);
        if (modeRanks.length != 4) {
            throw new PropertyException("", "modeRanks", "modeRanks needs 4 ranks [out, in, kernel height, kernel width], found "
                    + modeRanks.length);
        }
        this.rank = Math.max(modeRanks[0], modeRanks[1]);
        this.kernelRank = Math.max(modeRanks[2], modeRanks[3]);
        this.outRank = modeRanks[0];
        this.inRank = modeRanks[1];
        this.kernelHeightRank = modeRanks[2];
        this.kernelWidthRank = modeRanks[3];
        this.scale = scale;
        this.dropout = dropout;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("kernelRank", kernelRank);
        Map<String, Integer> modes = new LinkedHashMap<>();
        modes.put("outRank", outRank);
        modes.put("inRank", inRank);
        modes.put("kernelHeightRank", kernelHeightRank);
        modes.put("kernelWidthRank", kernelWidthRank);
        for (Map.Entry<String, Integer> e : modes.entrySet()) {
            if (e.getValue() < 0) {
                throw new PropertyException("", e.getKey(), e.getKey() + " must be positive, or 0 to take the default rank, "
                        + "found " + e.getValue());
            }
        }
        requirePositive("scale", scale);
        requireDropout("dropout", dropout);
    }

    /**
     * The rank of every mode, in the order of a Conv2d weight's dimensions (the authors' {@code r}); kernel ranks are
     * capped at each layer's kernel size when the module is built.
     * @return {@code [out, in, kernel height, kernel width]}.
     */
    public int[] modeRanks() {
        return new int[] {orDefault(outRank, rank), orDefault(inRank, rank), orDefault(kernelHeightRank, kernelRank),
                orDefault(kernelWidthRank, kernelRank)};
    }

    private static int orDefault(int value, int fallback) {
        return value > 0 ? value : fallback;
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        int[] r = modeRanks();
        return new FloraModule(target, context.manager(), r[1], r[0], r[2], r[3], scale, dropout, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        int[] r = modeRanks();
        return basePeftConfig()
                .put("r", rank)
                .put("kernel_r", kernelRank)
                .put("out_r", r[0])
                .put("in_r", r[1])
                .put("kernel_h_r", r[2])
                .put("kernel_w_r", r[3])
                .put("scale", scale)
                .put("flora_dropout", dropout);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}; in files written before the per-mode ranks,
     * {@code r} and {@code kernel_r} apply to every mode.
     * @param json The configuration.
     * @return The spec.
     */
    public static FloraSpec fromPeftConfig(PeftConfigJson json) {
        int r = json.integer("r", 8);
        int kr = json.integer("kernel_r", 2);
        int[] modes = {json.integer("out_r", r), json.integer("in_r", r), json.integer("kernel_h_r", kr),
                json.integer("kernel_w_r", kr)};
        return new FloraSpec(readTargets(json), modes, json.number("scale", 1.0), json.number("flora_dropout", 0.0));
    }

    @Override
    public String toString() {
        return "FloraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",kernelRank="
                + kernelRank + ",modeRanks=" + Arrays.toString(modeRanks()) + ",scale=" + scale + ",dropout=" + dropout + ")";
    }
}
