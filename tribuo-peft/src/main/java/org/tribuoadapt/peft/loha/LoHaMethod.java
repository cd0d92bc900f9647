package org.tribuoadapt.peft.loha;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers LoHa with the adapter files: {@code peft_type} {@value LoHaSpec#PEFT_TYPE}, read by
 * {@link LoHaSpec#fromPeftConfig}.
 */
public final class LoHaMethod extends AbstractPeftMethod<LoHaSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public LoHaMethod() {
        super(LoHaSpec.PEFT_TYPE, LoHaSpec.class, LoHaSpec::fromPeftConfig);
    }
}
