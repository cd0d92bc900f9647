package org.tribuoadapt.peft.randlora;

import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RandLoRA (Albert et al. 2025, "RandLoRA: Full-rank parameter-efficient fine-tuning of large models"):
 * {@code dW = s sum_j B_j diag(lambda_j) A diag(gamma_j)}, a learned combination of {@code n = ceil(m / r)} fixed
 * random rank-r bases, so the update is full rank while only the diagonals train. The bases are shared by every
 * targeted Linear layer, drawn from {@code projectionPrngKey} as PEFT draws them ({@link RandomBases}); the key is
 * what identifies them, and with {@code saveProjection} they are also saved. {@code s = alpha / r}; PEFT's defaults
 * are r = 32 and alpha = 640 (twenty times r). Trainable values per layer: {@code r n + n m}, with m the smaller width.
 * <p>
 * Reads and writes PEFT's {@code RandLoraConfig} ({@code peft_type} {@value #PEFT_TYPE}: {@code r},
 * {@code projection_prng_key}, {@code save_projection}, {@code sparse}, {@code very_sparse}, {@code randlora_dropout},
 * {@code randlora_alpha}, {@code init_weights}) and its tensors ({@code randlora_lambda}, {@code randlora_gamma} per
 * layer; {@code base_model.randlora_A} and {@code base_model.randlora_B}, repeated under every layer as PEFT's state
 * dict holds them, when the projections are saved).
 */
public final class RandLoraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "RANDLORA";

    @Config(description = "The rank r of each random basis; smaller means more bases and more trainable values.")
    private int rank = 32;

    @Config(description = "The scaling numerator (scaling = alpha / r), typically twenty times r.")
    private double alpha = 640;

    @Config(description = "The seed of PyTorch's generator that draws the shared bases.")
    private int projectionPrngKey = 0;

    @Config(description = "Save the shared bases with the adapter.")
    private boolean saveProjection = true;

    @Config(description = "Use ternary sparse bases (probabilities 1/6, 2/3, 1/6).")
    private boolean sparse = false;

    @Config(description = "Use very sparse ternary bases (nonzero with probability 1/sqrt(m)); wins over sparse.")
    private boolean verySparse = false;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    @Config(description = "Start lambda at zero (a no-op); false draws lambda from N(0, 1).")
    private boolean initWeights = true;

    /** For OLCUT. */
    private RandLoraSpec() {}

    /**
     * Creates a RandLoRA spec with dense bases from key 0, saved, without dropout.
     * @param targets The Linear layers to adapt (and modules to save).
     * @param rank The basis rank.
     * @param alpha The scaling numerator.
     */
    public RandLoraSpec(AdapterTargets targets, int rank, double alpha) {
        this(targets, rank, alpha, 0, true, false, false, 0.0, true);
    }

    /**
     * Creates a RandLoRA spec.
     * @param targets The Linear layers to adapt (and modules to save).
     * @param rank The basis rank.
     * @param alpha The scaling numerator.
     * @param projectionPrngKey The seed of the bases.
     * @param saveProjection Save the bases with the adapter.
     * @param sparse Ternary bases.
     * @param verySparse Very sparse ternary bases.
     * @param dropout Dropout on the adapter's input.
     * @param initWeights Start as a no-op.
     */
    public RandLoraSpec(AdapterTargets targets, int rank, double alpha, int projectionPrngKey, boolean saveProjection,
                        boolean sparse, boolean verySparse, double dropout, boolean initWeights) {
        super(targets);
        this.rank = rank;
        this.alpha = alpha;
        this.projectionPrngKey = projectionPrngKey;
        this.saveProjection = saveProjection;
        this.sparse = sparse;
        this.verySparse = verySparse;
        this.dropout = dropout;
        this.initWeights = initWeights;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        requirePositive("rank", rank);
        requirePositive("alpha", alpha);
        if (projectionPrngKey < 0) {
            throw new PropertyException("", "projectionPrngKey", "projectionPrngKey must be >= 0, found " + projectionPrngKey);
        }
        requireDropout("dropout", dropout);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    public boolean supports(TargetLayer.Kind kind) {
        return kind == TargetLayer.Kind.LINEAR;
    }

    @Override
    public boolean savesSharedTensors() {
        return saveProjection;
    }

    @Override
    public Map<String, Parameter> createSharedTensors(List<TargetLayer> targets, NDManager manager, long seed) {
        int out = 0;
        int in = 0;
        for (TargetLayer t : targets) {
            out = Math.max(out, t.outFeatures());
            in = Math.max(in, t.inFeatures());
        }
        Parameter[] bases = RandomBases.draw(manager, rank, out, in, projectionPrngKey, sparse, verySparse);
        Map<String, Parameter> shared = new LinkedHashMap<>();
        shared.put("randlora_A", bases[0]);
        shared.put("randlora_B", bases[1]);
        return shared;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new RandLoraModule(target, context.manager(), rank, alpha / rank, dropout, initWeights,
                context.sharedTensor("randlora_A"), context.sharedTensor("randlora_B"), saveProjection,
                context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("projection_prng_key", projectionPrngKey)
                .put("save_projection", saveProjection)
                .put("sparse", sparse)
                .put("very_sparse", verySparse)
                .put("randlora_dropout", dropout)
                .put("randlora_alpha", alpha == Math.rint(alpha) ? (Object) (long) alpha : alpha)
                .put("init_weights", initWeights)
                .put("fan_in_fan_out", false)
                .put("bias", "none");
    }

    /**
     * Reads PEFT's {@code RandLoraConfig}.
     * @param json The configuration.
     * @return The spec.
     * @throws IllegalArgumentException for options this project does not implement (trainable biases,
     * {@code fan_in_fan_out} layouts).
     */
    public static RandLoraSpec fromPeftConfig(PeftConfigJson json) {
        json.requireUnset("fan_in_fan_out");
        json.requireUnset("bias", "none");
        return new RandLoraSpec(readTargets(json), json.integer("r", 32), json.number("randlora_alpha", 640),
                json.integer("projection_prng_key", 0), json.bool("save_projection", true), json.bool("sparse", false),
                json.bool("very_sparse", false), json.number("randlora_dropout", 0.0), json.bool("init_weights", true));
    }

    @Override
    public String toString() {
        return "RandLoraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",alpha=" + alpha
                + ",projectionPrngKey=" + projectionPrngKey + ",saveProjection=" + saveProjection + ",sparse=" + sparse
                + ",verySparse=" + verySparse + ",dropout=" + dropout + ",initWeights=" + initWeights + ")";
    }
}
