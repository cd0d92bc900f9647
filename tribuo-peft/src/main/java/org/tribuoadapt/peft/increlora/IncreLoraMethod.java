package org.tribuoadapt.peft.increlora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers IncreLoRA with the adapter files: {@code peft_type} {@value IncreLoraSpec#PEFT_TYPE}, read by
 * {@link IncreLoraSpec#fromPeftConfig}.
 */
public final class IncreLoraMethod extends AbstractPeftMethod<IncreLoraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public IncreLoraMethod() {
        super(IncreLoraSpec.PEFT_TYPE, IncreLoraSpec.class, IncreLoraSpec::fromPeftConfig);
    }
}
