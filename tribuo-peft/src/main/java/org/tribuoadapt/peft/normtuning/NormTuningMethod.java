package org.tribuoadapt.peft.normtuning;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers norm tuning with the adapter files: {@code peft_type} {@value NormTuningSpec#PEFT_TYPE}, read by
 * {@link NormTuningSpec#fromPeftConfig}.
 */
public final class NormTuningMethod extends AbstractPeftMethod<NormTuningSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public NormTuningMethod() {
        super(NormTuningSpec.PEFT_TYPE, NormTuningSpec.class, NormTuningSpec::fromPeftConfig);
    }
}
