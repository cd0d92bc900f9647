package org.tribuoadapt.peft.spt;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers SPT with the adapter files: {@code peft_type} {@value SptSpec#PEFT_TYPE}, read by
 * {@link SptSpec#fromPeftConfig}.
 */
public final class SptMethod extends AbstractPeftMethod<SptSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public SptMethod() {
        super(SptSpec.PEFT_TYPE, SptSpec.class, SptSpec::fromPeftConfig);
    }
}
