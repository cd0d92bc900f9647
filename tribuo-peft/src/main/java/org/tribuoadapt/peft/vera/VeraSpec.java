package org.tribuoadapt.peft.vera;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.DjlRuntime;
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
 * VeRA (Kopiczko et al. 2024, eq. 1): every targeted Linear layer shares one pair of frozen random projections
 * {@code A [r, max in]} and {@code B [max out, r]}, sliced to the layer's size, and trains only two scaling vectors,
 * {@code d} (length r, starting at {@code dInitial}) and {@code b} (length out, starting at 0):
 * {@code y = W0 x + diag(b) B diag(d) A x}. As in PEFT, the projections are drawn kaiming-uniform (gain sqrt 2) from
 * PyTorch's generator seeded with {@code projectionPrngKey}, A first, so a key regenerates exactly PEFT's matrices;
 * with {@code saveProjection} they are also saved ({@code base_model.vera_A}, {@code base_model.vera_B}).
 */
public final class VeraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** PEFT's name for the method. */
    public static final String PEFT_TYPE = "VERA";

    @Config(description = "The rank r of the shared projections.")
    private int rank = 256;

    @Config(description = "The seed of PyTorch's generator that draws the shared projections.")
    private int projectionPrngKey = 0;

    @Config(description = "Save the shared projections with the adapter.")
    private boolean saveProjection = true;

    @Config(description = "Dropout probability on the adapter's input.")
    private double dropout = 0.0;

    @Config(description = "Initial value of every entry of the vector d.")
    private double dInitial = 0.1;

    @Config(description = "Start b at 0 and d at dInitial (a no-op); false starts b at 1 and draws d from N(0, 1).")
    private boolean initWeights = true;

    /** For OLCUT. */
    private VeraSpec() {}

    /**
     * Creates a VeRA spec with PEFT's defaults for the other options.
     * @param targets The Linear layers to adapt.
     * @param rank The rank of the shared projections.
     */
    public VeraSpec(AdapterTargets targets, int rank) {
        this(targets, rank, 0, true, 0.0, 0.1, true);
    }

    /**
     * Creates a VeRA spec.
     * @param targets The Linear layers to adapt.
     * @param rank The rank of the shared projections.
     * @param projectionPrngKey The seed of the projections.
     * @param saveProjection Save the projections with the adapter.
     * @param dropout Dropout on the adapter's input.
     * @param dInitial The initial value of d.
     * @param initWeights Start as a no-op.
     */
    public VeraSpec(AdapterTargets targets, int rank, int projectionPrngKey, boolean saveProjection, double dropout,
                    double dInitial, boolean initWeights) {
        super(targets);
        this.rank = rank;
        this.projectionPrngKey = projectionPrngKey;
        this.saveProjection = saveProjection;
        this.dropout = dropout;
        this.dInitial = dInitial;
        this.initWeights = initWeights;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (rank < 1) {
            throw new PropertyException("", "rank", "rank must be a positive integer, found " + rank);
        }
        if (projectionPrngKey < 0) {
            throw new PropertyException("", "projectionPrngKey", "projectionPrngKey must be >= 0, found " + projectionPrngKey);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new PropertyException("", "dropout", "dropout must be in [0, 1), found " + dropout);
        }
        if (!Double.isFinite(dInitial)) {
            throw new PropertyException("", "dInitial", "dInitial must be finite, found " + dInitial);
        }
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
        int in = 0;
        int out = 0;
        for (TargetLayer t : targets) {
            in = Math.max(in, t.inFeatures());
            out = Math.max(out, t.outFeatures());
        }
        Map<String, Parameter> shared = new LinkedHashMap<>();
        DjlRuntime.seedNativeRandom(projectionPrngKey);
        shared.put("vera_A", projection(manager, "vera_A", new Shape(rank, in), in));
        shared.put("vera_B", projection(manager, "vera_B", new Shape(out, rank), rank));
        return shared;
    }

    /** PEFT's {@code _kaiming_init}: uniform in +-sqrt(3) sqrt(2) / sqrt(fan in), from the seeded generator. */
    private static Parameter projection(NDManager manager, String name, Shape shape, int fanIn) {
        double bound = Math.sqrt(3.0) * Math.sqrt(2.0) / Math.sqrt(fanIn);
        NDArray values = manager.randomUniform((float) -bound, (float) bound, shape);
        NDScope.unregister(values);
        return new Parameter(name, Parameter.Kind.BUFFER, values);
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return new VeraModule(target, context.manager(), rank, context.sharedTensor("vera_A"),
                context.sharedTensor("vera_B"), dropout, dInitial, initWeights, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("projection_prng_key", projectionPrngKey)
                .put("save_projection", saveProjection)
                .put("vera_dropout", dropout)
                .put("d_initial", dInitial)
                .put("init_weights", initWeights)
                .put("fan_in_fan_out", false)
                .put("bias", "none");
    }

    /**
     * Reads PEFT's {@code VeraConfig}.
     * @param json The configuration.
     * @return The spec.
     */
    public static VeraSpec fromPeftConfig(PeftConfigJson json) {
        json.requireUnset("fan_in_fan_out");
        json.requireUnset("bias", "none");
        return new VeraSpec(readTargets(json), json.integer("r", 256), json.integer("projection_prng_key", 0),
                json.bool("save_projection", true), json.number("vera_dropout", 0.0), json.number("d_initial", 0.1),
                json.bool("init_weights", true));
    }

    @Override
    public String toString() {
        return "VeraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",projectionPrngKey="
                + projectionPrngKey + ",saveProjection=" + saveProjection + ",dropout=" + dropout + ",dInitial=" + dInitial
                + ",initWeights=" + initWeights + ")";
    }
}
