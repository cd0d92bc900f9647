package org.tribuoadapt.peft.mam;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.layers.MultiHeadSelfAttention;
import org.tribuoadapt.core.nn.layers.TransformerBlock;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.bottleneck.BottleneckModule;
import org.tribuoadapt.peft.bottleneck.BottleneckPlacement;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.prefix.PrefixTuningModule;

import java.util.Optional;

/**
 * The mix-and-match (MAM) adapter of He et al. (2022, "Towards a Unified View of Parameter-Efficient Transfer
 * Learning", section 4.6): prefix tuning on every attention branch (the keys and values of
 * {@link PrefixTuningModule}, {@code l} positions of width {@code d}, trained directly) together with a scaled
 * parallel bottleneck adapter on every feed-forward branch ({@link BottleneckModule} in
 * {@link BottleneckPlacement#PARALLEL} placement, {@code h <- h + s f(x)}). The paper's choice, from its ablations, is
 * {@code l = 30} and {@code s = 4}, with a large feed-forward bottleneck (512 for a width of 1024); here the bottleneck
 * size is a setting, 16 by default for the project's small Transformers. Each targeted attention layer gets the
 * prefixes and every other targeted residual branch the adapter, so the default targets are
 * {@code attn} and {@code mlp}.
 * <p>
 * Neither half can be merged: the prefixes add key and value positions to the attention's softmax, and the adapter
 * has a ReLU between its projections. The adapter files hold this project's {@code peft_type} {@value #PEFT_TYPE}
 * with the prefix tuning tensors {@code base_model.model.<attn>.prefix_keys} and {@code .prefix_values} and the
 * bottleneck tensors {@code base_model.model.<mlp>.adapter_down.weight}, {@code .adapter_down.bias},
 * {@code .adapter_up.weight} and {@code .adapter_up.bias}. Trainable values per block of width {@code d}:
 * {@code 2 l d + 2 r d + r + d}.
 */
public final class MamAdapterSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "MAM_ADAPTER";

    /** Why the adapters cannot be merged. */
    static final String NOT_MERGEABLE = "its prefixes add key and value positions to the attention's softmax and its "
            + "feed-forward adapter is non-linear (a ReLU between its projections), so no change of the base weights "
            + "computes either";

    @Config(description = "The prefix length l of every attention layer (He et al. 2022: 30).")
    private int prefixLength = 30;

    @Config(description = "The standard deviation of the initial prefixes.")
    private double initialStd = 0.02;

    @Config(description = "The bottleneck size r of the feed-forward parallel adapters.")
    private int bottleneckSize = 16;

    @Config(description = "The scaling s of the feed-forward parallel adapters (He et al. 2022: 4).")
    private double scaling = 4.0;

    /** For OLCUT. */
    private MamAdapterSpec() {}

    /**
     * Creates a MAM adapter with the paper's prefix length and scaling on every block of core's Transformer.
     * @param bottleneckSize The bottleneck size r of the feed-forward adapters.
     */
    public MamAdapterSpec(int bottleneckSize) {
        this(AdapterTargets.modules(TransformerBlock.ATTENTION, TransformerBlock.FEED_FORWARD), 30, 0.02, bottleneckSize,
                4.0);
    }

    /**
     * Creates a MAM adapter.
     * @param targets The attention branches (which get prefixes), the other residual branches (which get parallel
     *                adapters), and the modules to save.
     * @param prefixLength The prefix length l.
     * @param initialStd The standard deviation of the initial prefixes.
     * @param bottleneckSize The bottleneck size r.
     * @param scaling The scaling s.
     */
    public MamAdapterSpec(AdapterTargets targets, int prefixLength, double initialStd, int bottleneckSize, double scaling) {
        super(targets);
        this.prefixLength = prefixLength;
        this.initialStd = initialStd;
        this.bottleneckSize = bottleneckSize;
        this.scaling = scaling;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("prefixLength", prefixLength);
        if (!(initialStd >= 0) || Double.isInfinite(initialStd)) {
            throw new PropertyException("", "initialStd", "initialStd must be non-negative and finite, found " + initialStd);
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

    /** Prefixes for an attention layer, a parallel bottleneck adapter for any other residual branch. */
    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        if (target.layer() instanceof MultiHeadSelfAttention) {
            return new PrefixTuningModule(target, context.manager(), prefixLength, initialStd, 0, context.streamFor(target));
        }
        return new BottleneckModule(target, context.manager(), BottleneckPlacement.PARALLEL, bottleneckSize, scaling,
                context.streamFor(target));
    }

    /** @return The prefix length l. */
    public int prefixLength() {
        return prefixLength;
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
                .put("num_virtual_tokens", prefixLength)
                .put("initial_std", initialStd)
                .put("bottleneck_size", bottleneckSize)
                .put("scaling", scaling)
                .put("placement", "parallel")
                .put("non_linearity", "relu");
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException for a placement other than parallel or a non-linearity other than ReLU.
     */
    public static MamAdapterSpec fromPeftConfig(PeftConfigJson json) {
        String placement = json.string("placement", "parallel");
        if (!placement.equalsIgnoreCase("parallel")) {
            throw new IllegalArgumentException("the MAM adapter's feed-forward adapter is parallel, found placement '"
                    + placement + "'");
        }
        String nonLinearity = json.string("non_linearity", "relu");
        if (!nonLinearity.equalsIgnoreCase("relu")) {
            throw new IllegalArgumentException("non_linearity must be 'relu', found '" + nonLinearity + "'");
        }
        return new MamAdapterSpec(readTargets(json), json.integer("num_virtual_tokens", 30), json.number("initial_std", 0.02),
                json.integer("bottleneck_size", 16), json.number("scaling", 4.0));
    }

    @Override
    public String toString() {
        return "MamAdapterSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",prefixLength=" + prefixLength
                + ",initialStd=" + initialStd + ",bottleneckSize=" + bottleneckSize + ",scaling=" + scaling + ")";
    }
}
