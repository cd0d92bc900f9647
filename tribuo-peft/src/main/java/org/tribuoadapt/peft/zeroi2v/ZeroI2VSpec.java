package org.tribuoadapt.peft.zeroi2v;

import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.ArrayList;
import java.util.List;

/**
 * ZeroI2V's linear adapters (Li et al. 2024, "ZeroI2V: Zero-Cost Adaptation of Pre-trained Transformers from Image to
 * Video", ECCV, section 3.3): densely placed bottleneck adapters without a non-linearity,
 * {@code g(z) = z + s ((z D^T + b_D) U^T + b_U)} with a bottleneck of size {@code r}, each on the input or on the
 * output of a Linear layer ({@link LinearAdapterPlacement}). Being affine, each folds into its layer after training
 * ({@link LinearAdapterModule}), so the adapted network runs at exactly the cost of the base: the paper's structural
 * reparameterisation. The paper puts four adapters in every block of a ViT: before the attention's input projection,
 * after its output projection, before the first feed-forward layer and after the second; here those are the targets
 * {@code qkv}, {@code proj}, {@code fc1} and {@code fc2} of core's Transformer, with {@code proj} and {@code fc2} in
 * {@link #afterModules}. The paper's settings are {@code r = d / 4}, {@code s = 0.5} and dropout 0.1 between the
 * projections; here {@code r} is given directly. The up-projection starts at zero, so the adapted network starts equal
 * to the base.
 * <p>
 * The paper's other half, spatial-temporal dual-headed attention (STDHA), is not part of this spec: it relocates some
 * heads' keys and values to other frames of a video, and the project's Transformer already attends over the whole
 * sequence at once (docs/peft-seed-methods.md, ZeroI2V).
 * <p>
 * PEFT has no such adapter; the adapter files hold this project's {@code peft_type} {@value #PEFT_TYPE} with the
 * tensors {@code base_model.model.<layer>.adapter_down.weight}, {@code .adapter_down.bias},
 * {@code .adapter_up.weight} and {@code .adapter_up.bias}. Trainable values per layer of adapted width {@code w}:
 * {@code 2 r w + r + w}.
 */
public final class ZeroI2VSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "ZEROI2V_LINEAR_ADAPTER";

    @Config(description = "Targets whose adapter sits after the layer, on its output (matched like targetModules); the "
            + "others sit before it, on its input. The paper's: the attention's output projection and the second "
            + "feed-forward layer.")
    private List<String> afterModules = new ArrayList<>(List.of("proj", "fc2"));

    @Config(description = "The bottleneck size r (the paper uses a quarter of the width).")
    private int bottleneckSize = 16;

    @Config(description = "The scaling s of the adapters' output (the paper's: 0.5).")
    private double scaling = 0.5;

    @Config(description = "Dropout between the projections during training (the paper's: 0.1).")
    private double dropout = 0.1;

    /** For OLCUT. */
    private ZeroI2VSpec() {}

    /**
     * Creates the paper's placement on core's Transformer: before {@code qkv} and {@code fc1}, after {@code proj} and
     * {@code fc2}, with {@code s = 0.5} and dropout 0.1.
     * @param bottleneckSize The bottleneck size r.
     */
    public ZeroI2VSpec(int bottleneckSize) {
        this(AdapterTargets.modules("qkv", "proj", "fc1", "fc2"), List.of("proj", "fc2"), bottleneckSize, 0.5, 0.1);
    }

    /**
     * Creates a ZeroI2V linear adapter spec.
     * @param targets The Linear layers (and modules to save).
     * @param afterModules The targets whose adapter sits on the output.
     * @param bottleneckSize The bottleneck size r.
     * @param scaling The scaling s.
     * @param dropout Dropout between the projections during training.
     */
    public ZeroI2VSpec(AdapterTargets targets, List<String> afterModules, int bottleneckSize, double scaling,
                       double dropout) {
        super(targets);
        this.afterModules = new ArrayList<>(afterModules);
        this.bottleneckSize = bottleneckSize;
        this.scaling = scaling;
        this.dropout = dropout;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("bottleneckSize", bottleneckSize);
        requirePositive("scaling", scaling);
        requireDropout("dropout", dropout);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /** Adapts Linear layers only. */
    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.LINEAR;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new LinearAdapterModule(target, context.manager(), placementOf(target.path()), bottleneckSize, scaling,
                dropout, context.streamFor(target));
    }

    /**
     * Where the adapter at a layer sits.
     * @param path The layer's path.
     * @return {@link LinearAdapterPlacement#AFTER} if it matches {@link #afterModules}, else before.
     */
    public LinearAdapterPlacement placementOf(String path) {
        return AdapterTargets.matchesList(afterModules, path) ? LinearAdapterPlacement.AFTER : LinearAdapterPlacement.BEFORE;
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
                .put("after_modules", afterModules)
                .put("bottleneck_size", bottleneckSize)
                .put("scaling", scaling)
                .put("adapter_dropout", dropout);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static ZeroI2VSpec fromPeftConfig(PeftConfigJson json) {
        return new ZeroI2VSpec(readTargets(json), json.strings("after_modules"), json.integer("bottleneck_size", 16),
                json.number("scaling", 0.5), json.number("adapter_dropout", 0.1));
    }

    @Override
    public String toString() {
        return "ZeroI2VSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",afterModules=" + afterModules
                + ",bottleneckSize=" + bottleneckSize + ",scaling=" + scaling + ",dropout=" + dropout + ")";
    }
}
