package org.tribuoadapt.peft.layertuning;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers layer tuning with the adapter files: {@code peft_type} {@value LayerTuningSpec#PEFT_TYPE}, read by
 * {@link LayerTuningSpec#fromPeftConfig}.
 */
public final class LayerTuningMethod extends AbstractPeftMethod<LayerTuningSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public LayerTuningMethod() {
        super(LayerTuningSpec.PEFT_TYPE, LayerTuningSpec.class, LayerTuningSpec::fromPeftConfig);
    }
}
