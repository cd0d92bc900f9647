package org.tribuoadapt.peft.allora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers ALLoRA with the adapter files: {@code peft_type} {@value AlloraSpec#PEFT_TYPE}, read by
 * {@link AlloraSpec#fromPeftConfig}.
 */
public final class AlloraMethod extends AbstractPeftMethod<AlloraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public AlloraMethod() {
        super(AlloraSpec.PEFT_TYPE, AlloraSpec.class, AlloraSpec::fromPeftConfig);
    }
}
