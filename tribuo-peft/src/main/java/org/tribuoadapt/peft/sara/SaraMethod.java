package org.tribuoadapt.peft.sara;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers SaRA with the adapter files: {@code peft_type} {@value SaraSpec#PEFT_TYPE}, read by
 * {@link SaraSpec#fromPeftConfig}.
 */
public final class SaraMethod extends AbstractPeftMethod<SaraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public SaraMethod() {
        super(SaraSpec.PEFT_TYPE, SaraSpec.class, SaraSpec::fromPeftConfig);
    }
}
