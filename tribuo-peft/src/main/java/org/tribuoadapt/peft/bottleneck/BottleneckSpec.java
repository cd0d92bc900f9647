package org.tribuoadapt.peft.bottleneck;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.Locale;
import java.util.Optional;

/**
 * Bottleneck adapters (Houlsby et al. 2019, "Parameter-Efficient Transfer Learning for NLP"), in the unified form of
 * He et al. (2022, "Towards a Unified View of Parameter-Efficient Transfer Learning", table 1): around each targeted
 * residual branch {@code h = branch(x)} of a Transformer block, a down-projection to {@code r} values, a ReLU and an
 * up-projection back, scaled by {@code s}: {@code h <- h + s f(h)} when {@link BottleneckPlacement#SEQUENTIAL},
 * {@code h <- h + s f(x)} when {@link BottleneckPlacement#PARALLEL}. The targets are the blocks' residual branches
 * ({@code attn} and {@code mlp}, whose input is the block's normalised stream): both for Houlsby's architecture, the
 * feed-forward branch only for Pfeiffer's ({@link BottleneckArchitecture}). The up-projection starts at zero, so the
 * adapted network starts equal to the base.
 * <p>
 * The ReLU makes the adapter non-linear, so it cannot be merged into the base weights. PEFT has no bottleneck adapter;
 * the adapter files hold this project's {@code peft_type} {@value #PEFT_TYPE} with the tensors
 * {@code base_model.model.<branch>.adapter_down.weight}, {@code .adapter_down.bias}, {@code .adapter_up.weight} and
 * {@code .adapter_up.bias}. Trainable values per branch of width {@code d}: {@code 2 r d + r + d}.
 */
public final class BottleneckSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "BOTTLENECK";

    /** Why the adapters cannot be merged. */
    static final String NOT_MERGEABLE = "a bottleneck adapter is non-linear (a ReLU between its projections), so no "
            + "change of the base weights computes it";

    @Config(description = "Where the adapter reads its input: SEQUENTIAL (the branch's output, Houlsby et al. 2019) or "
            + "PARALLEL (the branch's input, He et al. 2022).")
    private BottleneckPlacement placement = BottleneckPlacement.SEQUENTIAL;

    @Config(description = "The bottleneck size r (the width between the down- and up-projections).")
    private int bottleneckSize = 8;

    @Config(description = "The scaling s of the adapter's output.")
    private double scaling = 1.0;

    /** For OLCUT. */
    private BottleneckSpec() {}

    /**
     * Creates a bottleneck spec for one of the standard architectures.
     * @param architecture The branches that carry an adapter.
     * @param placement Where the adapters read their input.
     * @param bottleneckSize The bottleneck size r.
     * @param scaling The scaling s.
     */
    public BottleneckSpec(BottleneckArchitecture architecture, BottleneckPlacement placement, int bottleneckSize,
                          double scaling) {
        this(architecture.targets(), placement, bottleneckSize, scaling);
    }

    /**
     * Creates a bottleneck spec.
     * @param targets The residual branches to adapt (and modules to save).
     * @param placement Where the adapters read their input.
     * @param bottleneckSize The bottleneck size r.
     * @param scaling The scaling s.
     */
    public BottleneckSpec(AdapterTargets targets, BottleneckPlacement placement, int bottleneckSize, double scaling) {
        super(targets);
        this.placement = placement;
        this.bottleneckSize = bottleneckSize;
        this.scaling = scaling;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (placement == null) {
            throw new PropertyException("", "placement",
                    "placement must be SEQUENTIAL or PARALLEL");
        }
        requirePositive("bottleneckSize", bottleneckSize);
        requirePositive("scaling", scaling);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /** Adapts residual branches of Transformer blocks only. */
    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.RESIDUAL_BRANCH;
    }

    @Override
    public Optional<String> unmergeableReason() {
        return Optional.of(NOT_MERGEABLE);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new BottleneckModule(target, context.manager(), placement, bottleneckSize, scaling,
                context.streamFor(target));
    }

    /** @return Where the adapters read their input. */
    public BottleneckPlacement placement() {
        return placement;
    }

    /** @return The bottleneck size r. */
    public int bottleneckSize() {
        return bottleneckSize;
    }

    /** @return The scaling s. */
    public double scaling() {
        return scaling;
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("placement", placement.name().toLowerCase(Locale.ROOT))
                .put("bottleneck_size", bottleneckSize)
                .put("scaling", scaling)
                .put("non_linearity", "relu");
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException for an unknown placement or a non-linearity other than ReLU.
     */
    public static BottleneckSpec fromPeftConfig(PeftConfigJson json) {
        String nonLinearity = json.string("non_linearity", "relu");
        if (!nonLinearity.equalsIgnoreCase("relu")) {
            throw new IllegalArgumentException("non_linearity must be 'relu', found '" + nonLinearity + "'");
        }
        String placement = json.string("placement", "sequential");
        BottleneckPlacement parsed;
        try {
            parsed = BottleneckPlacement.valueOf(placement.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("placement must be 'sequential' or 'parallel', found '" + placement + "'", e);
        }
        return new BottleneckSpec(readTargets(json), parsed, json.integer("bottleneck_size", 8), json.number("scaling", 1.0));
    }

    @Override
    public String toString() {
        return "BottleneckSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",placement=" + placement
                + ",bottleneckSize=" + bottleneckSize + ",scaling=" + scaling + ")";
    }
}
