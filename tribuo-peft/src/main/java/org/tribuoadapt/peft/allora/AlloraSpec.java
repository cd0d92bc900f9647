package org.tribuoadapt.peft.allora;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.peft.AbstractAdapterSpec;
import org.tribuoadapt.peft.AdapterContext;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.lora.LoraModule;

import java.util.ArrayList;
import java.util.List;

/**
 * ALLoRA (Huang and Balestriero 2024, "ALLoRA: Adaptive Learning Rate Mitigates LoRA Fatal Flaws"): LoRA
 * {@code y = W0 x + B A x} without dropout and without the scaling factor ({@code s = 1}), with {@code A}
 * kaiming-uniform and {@code B = 0} as LoRA, trained with an adaptive learning rate that is inversely proportional
 * to the parameters' L2 norm, per row of each factor ({@link RowAdaptiveOptimiser}): the trainer's step of row
 * {@code i} is multiplied by {@code 1 / sqrt(1/eta + ||row_i||^2)}.
 * <p>
 * The paper's abstract states only that the per-sample, per-parameter gradients are scaled by a coefficient
 * inversely proportional to the parameters' L2 norm; we could not read the paper's exact formula, so this coefficient
 * (bounded by {@code sqrt(eta)} at a zero row, about {@code 1 / ||row||} for large rows) is our reading of it, not a
 * verified transcription. Trainable values per layer: {@code r (fanIn + out)}, as LoRA. The adapter file uses our
 * own {@code peft_type} {@value #PEFT_TYPE} with the fields {@code r} and {@code eta}; its tensors are LoRA's
 * ({@code lora_A.weight}, {@code lora_B.weight}).
 */
public final class AlloraSpec extends AbstractAdapterSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "ALLORA";

    @Config(description = "The rank r.")
    private int rank = 8;

    @Config(description = "The rate parameter eta of the per-row coefficient 1 / sqrt(1/eta + ||row||^2).")
    private double eta = 1.0;

    /** For OLCUT. */
    private AlloraSpec() {}

    /**
     * Creates a spec.
     * @param targets The layers to adapt (and modules to save).
     * @param rank The rank r.
     * @param eta The rate parameter, positive.
     */
    public AlloraSpec(AdapterTargets targets, int rank, double eta) {
        super(targets);
        this.rank = rank;
        this.eta = eta;
        postConfig();
    }

    @Override
    public void postConfig() {
        validateTargets();
        if (rank < 1) {
            throw new PropertyException("", "rank", "rank must be positive, found " + rank);
        }
        if (!(eta > 0 && Double.isFinite(eta))) {
            throw new PropertyException("", "eta", "eta must be positive and finite, found " + eta);
        }
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    /** @return The rank r. */
    public int rank() {
        return rank;
    }

    /** @return The rate parameter eta. */
    public double eta() {
        return eta;
    }

    @Override
    public AdapterModule createModule(TargetLayer target, AdapterContext context) {
        return LoraModule.plain(target, context.manager(), rank, 1.0, context.streamFor(target));
    }

    /** Scales the steps of every module's factors row by row. */
    @Override
    public NetworkOptimiser adaptOptimiser(NetworkOptimiser optimiser, List<AdapterModule> modules) {
        List<Parameter> factors = new ArrayList<>();
        for (AdapterModule m : modules) {
            LoraModule lora = (LoraModule) m;
            factors.add(lora.loraA());
            factors.add(lora.loraB());
        }
        return new RowAdaptiveOptimiser(optimiser, factors, eta);
    }

    @Override
    public PeftConfigJson toPeftConfig() {
        return basePeftConfig()
                .put("r", rank)
                .put("eta", eta);
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static AlloraSpec fromPeftConfig(PeftConfigJson json) {
        return new AlloraSpec(readTargets(json), json.integer("r", 8), json.number("eta", 1.0));
    }

    @Override
    public String toString() {
        return "AlloraSpec(targets=" + targets() + ",modulesToSave=" + modulesToSave() + ",rank=" + rank + ",eta=" + eta
                + ")";
    }
}
