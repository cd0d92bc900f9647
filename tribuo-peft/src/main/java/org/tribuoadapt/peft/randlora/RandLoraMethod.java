package org.tribuoadapt.peft.randlora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers RandLoRA with the adapter files: {@code peft_type} {@value RandLoraSpec#PEFT_TYPE}, read by
 * {@link RandLoraSpec#fromPeftConfig}.
 */
public final class RandLoraMethod extends AbstractPeftMethod<RandLoraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public RandLoraMethod() {
        super(RandLoraSpec.PEFT_TYPE, RandLoraSpec.class, RandLoraSpec::fromPeftConfig);
    }
}
