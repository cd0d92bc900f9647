package org.tribuoadapt.peft.diffusekrona;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lokr.Factorization;

/**
 * DiffuseKronA (Marjit et al. 2024, "DiffuseKronA: A Parameter Efficient Fine-tuning Method for Personalized
 * Diffusion Models"): the weight update is a Kronecker product of two small trainable matrices,
 * {@code dW = s (A ⊗ B)}, {@code A [a1, a2]}, {@code B [b1, b2]}, with {@code a1 b1 = out} and {@code a2 b2 = in}
 * (LoKr's form with both factors full). {@code a1} and {@code a2} are configured; 0 picks the factor near the square
 * root with LoKr's rule ({@link Factorization}, the smaller factor). {@code B} starts at zero, so the adapter starts as a
 * no-op. Trainable values per layer: {@code a1 a2 + b1 b2} ({@code b1 b2 k^2} for a convolution). The adapter file uses
 * our own {@code peft_type} {@value #PEFT_TYPE} with the fields {@code a1}, {@code a2} and {@code scale} (0 for the
 * square-root choice).
 */
public final class DiffuseKronASpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "DIFFUSEKRONA";

    @Config(description = "Rows a1 of A (it must divide every target's outputs); 0 picks the factor near the square root.")
    private int outFactor = 0;

    @Config(description = "Columns a2 of A (it must divide every target's inputs); 0 picks the factor near the square root.")
    private int inFactor = 0;

    @Config(description = "The scale s of the update.")
    private double scale = 1.0;

    /** For OLCUT. */
    private DiffuseKronASpec() {}

    /**
     * Creates a DiffuseKronA spec.
     * @param targets The layers to adapt (and modules to save).
     * @param outFactor The rows of {@code A}, or 0 for the factor near the square root of each target's outputs.
     * @param inFactor The columns of {@code A}, or 0 for the factor near the square root of each target's inputs.
     * @param scale The scale of the update.
     */
    public DiffuseKronASpec(AdapterTargets targets, int outFactor, int inFactor, double scale) {
        super(targets);
        this.outFactor = outFactor;
        this.inFactor = inFactor;
        this.scale = scale;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (outFactor < 0) {
            throw new PropertyException("", "outFactor", "outFactor must be 0 (near the square root) or positive, found "
                    + outFactor);
        }
        if (inFactor < 0) {
            throw new PropertyException("", "inFactor", "inFactor must be 0 (near the square root) or positive, found "
                    + inFactor);
        }
        requirePositive("scale", scale);
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    private static int factor(TargetLayer target, String name, int configured, int dimension, String what) {
        if (configured == 0) {
            return Factorization.of(dimension, 0)[0];
        }
        if (dimension % configured != 0) {
            throw new IllegalArgumentException("DiffuseKronA at '" + target.path() + "': " + name + " " + configured
                    + " does not divide the layer's " + dimension + " " + what);
        }
        return configured;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        int a1 = factor(target, "outFactor", outFactor, target.outFeatures(), "outputs");
        int a2 = factor(target, "inFactor", inFactor, target.inFeatures(), "inputs");
        return new DiffuseKronAModule(target, context.manager(), a1, a2, scale, context.streamFor(target));
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig().put("a1", outFactor).put("a2", inFactor).put("scale", scale);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static DiffuseKronASpec fromPeftConfig(PeftConfigJson json) {
        return new DiffuseKronASpec(readTargets(json), json.integer("a1", 0), json.integer("a2", 0), json.number("scale", 1.0));
    }

    @Override
    public String toString() {
        return "DiffuseKronASpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",outFactor=" + outFactor
                + ",inFactor=" + inFactor + ",scale=" + scale + ")";
    }
}
