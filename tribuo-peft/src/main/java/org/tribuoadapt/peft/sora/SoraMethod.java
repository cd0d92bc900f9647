package org.tribuoadapt.peft.sora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers SoRA with the adapter files: {@code peft_type} {@value SoraSpec#PEFT_TYPE}, read by
 * {@link SoraSpec#fromPeftConfig}.
 */
public final class SoraMethod extends AbstractPeftMethod<SoraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public SoraMethod() {
        super(SoraSpec.PEFT_TYPE, SoraSpec.class, SoraSpec::fromPeftConfig);
    }
}
