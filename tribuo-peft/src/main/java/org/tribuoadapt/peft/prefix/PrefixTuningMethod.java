package org.tribuoadapt.peft.prefix;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers prefix tuning with the adapter files: {@code peft_type} {@value PrefixTuningSpec#PEFT_TYPE}, read by
 * {@link PrefixTuningSpec#fromPeftConfig}.
 */
public final class PrefixTuningMethod extends AbstractPeftMethod<PrefixTuningSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public PrefixTuningMethod() {
        super(PrefixTuningSpec.PEFT_TYPE, PrefixTuningSpec.class, PrefixTuningSpec::fromPeftConfig);
    }
}
