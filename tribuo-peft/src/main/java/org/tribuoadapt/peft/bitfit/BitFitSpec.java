package org.tribuoadapt.peft.bitfit;

import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.TargetLayer;
import org.tribuoadapt.peft.delta.ParameterTuningSpec;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.util.EnumSet;
import java.util.Set;

/**
 * BitFit (Ben Zaken et al. 2022): only the bias terms of the targeted layers are fine-tuned, everything else
 * stays frozen. Targets may be Linear, Conv2d, BatchNorm and LayerNorm layers (for a normalisation layer, its shift);
 * a targeted layer without a bias is an error. The adapter file holds the tuned biases under the base parameters'
 * names ({@code base_model.model.<layer>.bias}) with {@code peft_type} {@value #PEFT_TYPE}; PEFT has no BitFit tuner.
 * Trainable values: the sum of the targets' output widths.
 */
public final class BitFitSpec extends ParameterTuningSpec {
    private static final long serialVersionUID = 1L;

    /** The method's name in {@code adapter_config.json}. */
    public static final String PEFT_TYPE = "BITFIT";

    /** For OLCUT. */
    private BitFitSpec() {}

    /**
     * Creates a BitFit spec.
     * @param targets The layers whose biases are tuned (and modules to save).
     */
    public BitFitSpec(AdapterTargets targets) {
        super(targets);
        postConfig();
    }

    @Override
    public String peftType() {
        return PEFT_TYPE;
    }

    @Override
    protected Set<TargetLayer.Kind> kinds() {
        return EnumSet.allOf(TargetLayer.Kind.class);
    }

    @Override
    protected boolean tunesWeight() {
        return false;
    }

    /**
     * Reads the configuration written by {@link #toPeftConfig()}.
     * @param json The configuration.
     * @return The spec.
     */
    public static BitFitSpec fromPeftConfig(PeftConfigJson json) {
        return new BitFitSpec(readTargets(json));
    }
}
