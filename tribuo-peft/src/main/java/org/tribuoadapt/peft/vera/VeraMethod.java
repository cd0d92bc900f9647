package org.tribuoadapt.peft.vera;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers VeRA with the adapter files: {@code peft_type} {@value VeraSpec#PEFT_TYPE}, read by
 * {@link VeraSpec#fromPeftConfig}.
 */
public final class VeraMethod extends AbstractPeftMethod<VeraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public VeraMethod() {
        super(VeraSpec.PEFT_TYPE, VeraSpec.class, VeraSpec::fromPeftConfig);
    }
}
