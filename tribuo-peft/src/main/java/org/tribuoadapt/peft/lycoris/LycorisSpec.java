package org.tribuoadapt.peft.lycoris;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.RankPatterns;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options LoHa and LoKr share (PEFT's {@code LycorisConfig}): rank and alpha (scaling {@code alpha / r}) with
 * per-layer patterns, rank and module dropout, and the CP decomposition of convolution kernels
 * ({@code useEffectiveConv2d}).
 */
public abstract class LycorisSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    @Config(description = "The rank r.")
    private int rank = 8;

    @Config(description = "The scaling numerator (scaling = alpha / r).")
    private double alpha = 8;

    @Config(description = "Probability of dropping a row of the weight update during training.")
    private double rankDropout = 0.0;

    @Config(description = "Probability of skipping the adapter in a training step.")
    private double moduleDropout = 0.0;

    @Config(description = "Factor convolution kernels larger than 1x1 with a CP core (FedPara, Proposition 3).")
    private boolean useEffectiveConv2d = false;

    @Config(description = "Per-layer rank overrides: a key applies to layers whose path matches (.*\\.)?(key).")
    private Map<String, Integer> rankPattern = new LinkedHashMap<>();

    @Config(description = "Per-layer alpha overrides, keyed like rankPattern.")
    private Map<String, Double> alphaPattern = new LinkedHashMap<>();

    private RankPatterns patterns;

    /** For OLCUT. */
    protected LycorisSpec() {}

    /**
     * Creates the shared part of a spec.
     * @param targets The layers to adapt.
     * @param options The shared options.
     */
    protected LycorisSpec(AdapterTargets targets, LycorisOptions options) {
        super(targets);
        this.rank = options.rank();
        this.alpha = options.alpha();
        this.rankDropout = options.rankDropout();
        this.moduleDropout = options.moduleDropout();
        this.useEffectiveConv2d = options.useEffectiveConv2d();
        this.rankPattern = new LinkedHashMap<>(options.rankPattern());
        this.alphaPattern = new LinkedHashMap<>(options.alphaPattern());
    }

    /**
     * Validates the shared fields; subclasses call it from {@code postConfig}.
     * @throws PropertyException naming the field.
     */
    protected final void validateLycoris() {
        validateTargets();
        if (!(rankDropout >= 0 && rankDropout < 1)) {
            throw new PropertyException("", "rankDropout", "rankDropout must be in [0, 1), found " + rankDropout);
        }
        if (!(moduleDropout >= 0 && moduleDropout < 1)) {
            throw new PropertyException("", "moduleDropout", "moduleDropout must be in [0, 1), found " + moduleDropout);
        }
        patterns = new RankPatterns(rank, alpha, rankPattern, alphaPattern);
    }

    /**
     * The rank at a layer.
     * @param path The layer's path.
     * @return The rank, with the pattern applied.
     */
    public int rank(String path) {
        return patterns.rank(path);
    }

    /**
     * The scaling at a layer.
     * @param path The layer's path.
     * @return {@code alpha / r} with the patterns applied.
     */
    public double scaling(String path) {
        return patterns.alpha(path) / patterns.rank(path);
    }

    /** @return The rank dropout probability. */
    public double rankDropout() {
        return rankDropout;
    }

    /** @return The module dropout probability. */
    public double moduleDropout() {
        return moduleDropout;
    }

    /** @return True when kernels larger than 1x1 use the CP decomposition. */
    public boolean useEffectiveConv2d() {
        return useEffectiveConv2d;
    }

    /**
     * Whether a target's kernel is rebuilt from a CP core: with {@code useEffectiveConv2d}, for convolutions with
     * kernels larger than 1x1 (PEFT ignores the option elsewhere).
     * @param target The target.
     * @return True to use the CP decomposition.
     */
    protected final boolean usesCpDecomposition(TargetLayer target) {
        return useEffectiveConv2d && target.isConv() && target.kernelSize() > 1;
    }

    /**
     * Starts the PEFT configuration with the shared fields.
     * @return The configuration.
     */
    protected final PeftConfigJson lycorisPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("alpha", alpha == Math.rint(alpha) ? (Object) (long) alpha : alpha)
                .put("rank_dropout", rankDropout)
                .put("module_dropout", moduleDropout)
                .put("use_effective_conv2d", useEffectiveConv2d)
                .put("rank_pattern", rankPattern)
                .put("alpha_pattern", alphaPattern);
    }

    /**
     * A short description of the shared fields for {@code toString}.
     * @return The description.
     */
    protected final String describeLycoris() {
        return "targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha
                + ",rankDropout=" + rankDropout + ",moduleDropout=" + moduleDropout + ",useEffectiveConv2d="
                + useEffectiveConv2d + (rankPattern.isEmpty() ? "" : ",rankPattern=" + rankPattern)
                + (alphaPattern.isEmpty() ? "" : ",alphaPattern=" + alphaPattern);
    }
}
