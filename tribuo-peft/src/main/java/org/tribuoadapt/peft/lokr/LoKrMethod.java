package org.tribuoadapt.peft.lokr;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers LoKr with the adapter files: {@code peft_type} {@value LoKrSpec#PEFT_TYPE}, read by
 * {@link LoKrSpec#fromPeftConfig}.
 */
public final class LoKrMethod extends AbstractPeftMethod<LoKrSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public LoKrMethod() {
        super(LoKrSpec.PEFT_TYPE, LoKrSpec.class, LoKrSpec::fromPeftConfig);
    }
}
