package org.tribuoadapt.peft.lokr;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lycoris.LycorisOptions;
import org.tribuoadapt.peft.lycoris.LycorisSpec;

/**
 * LoKr (Yeh et al. 2024, LyCORIS): the weight update is a Kronecker product {@code dW = (W1 ⊗ W2) * alpha / r}, where
 * the output and input dimensions are each split into two factors ({@link Factorization}), {@code W1} is a small full
 * matrix (or a rank-r product with {@code decomposeBoth}) and {@code W2} a rank-r product {@code W2a W2b} unless r is
 * at least half its larger side, in which case it is a full matrix. DiffuseKronA's adapter is the same Kronecker form.
 * PEFT's {@code LoKrConfig}; a decomposition factor of 0 means PEFT's -1 (factors near the square root).
 */
public final class LoKrSpec extends LycorisSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "LOKR";

    @Config(description = "Also factor the left Kronecker matrix W1 into a rank-r product when r is small enough.")
    private boolean decomposeBoth = false;

    @Config(description = "Preferred factor when splitting dimensions; 0 picks factors near the square root (PEFT's -1).")
    private int decomposeFactor = 0;

    @Config(description = "Divide the rows kept by rank dropout by the share kept.")
    private boolean rankDropoutScale = false;

    @Config(description = "Initialisation: DEFAULT (W1 = 0), LYCORIS (W2 = 0) or RANDOM.")
    private LoKrInit initialisation = LoKrInit.DEFAULT;

    /** For OLCUT. */
    private LoKrSpec() {}

    /**
     * Creates a LoKr spec with PEFT's defaults for the Kronecker options.
     * @param targets The layers to adapt.
     * @param options Rank, alpha, dropouts, CP decomposition and patterns.
     */
    public LoKrSpec(AdapterTargets targets, LycorisOptions options) {
        this(targets, options, false, 0, false, LoKrInit.DEFAULT);
    }

    /**
     * Creates a LoKr spec.
     * @param targets The layers to adapt.
     * @param options Rank, alpha, dropouts, CP decomposition and patterns.
     * @param decomposeBoth Factor W1 too.
     * @param decomposeFactor The preferred factor, 0 for near the square root.
     * @param rankDropoutScale Rescale the rows kept by rank dropout.
     * @param initialisation How the factors start.
     */
    public LoKrSpec(AdapterTargets targets, LycorisOptions options, boolean decomposeBoth, int decomposeFactor,
                    boolean rankDropoutScale, LoKrInit initialisation) {
        super(targets, options);
        this.decomposeBoth = decomposeBoth;
        this.decomposeFactor = decomposeFactor;
        this.rankDropoutScale = rankDropoutScale;
        this.initialisation = initialisation;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateLycoris();
        if (decomposeFactor < 0) {
            throw new PropertyException("", "decomposeFactor", "decomposeFactor must be 0 (near the square root) or positive, "
                    + "found " + decomposeFactor);
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        String path = target.path();
        return new LoKrModule(target, context.manager(), rank(path), scaling(path), rankDropout(), rankDropoutScale,
                moduleDropout(), Factorization.of(target.outFeatures(), decomposeFactor),
                Factorization.of(target.inFeatures(), decomposeFactor), decomposeBoth,
                usesCpDecomposition(target), initialisation, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return lycorisPeftConfig()
                .put("decompose_both", decomposeBoth)
                .put("decompose_factor", decomposeFactor == 0 ? -1 : decomposeFactor)
                .put("rank_dropout_scale", rankDropoutScale)
                .put("init_weights", initialisation.toPeft());
    }

    /**
     * Reads PEFT's {@code LoKrConfig}.
     * @param json The configuration.
     * @return The spec.
     */
    public static LoKrSpec fromPeftConfig(PeftConfigJson json) {
        int factor = json.integer("decompose_factor", -1);
        return new LoKrSpec(readTargets(json), LycorisOptions.fromPeftConfig(json), json.bool("decompose_both", false),
                factor == -1 ? 0 : factor, json.bool("rank_dropout_scale", false),
                LoKrInit.fromPeft(json.stringOrBoolean("init_weights", "true")));
    }

    @Override
    public String toString() {
        return "LoKrSpec(" + describeLycoris() + ",decomposeBoth=" + decomposeBoth + ",decomposeFactor=" + decomposeFactor
                + ",rankDropoutScale=" + rankDropoutScale + ",initialisation=" + initialisation + ")";
    }
}
