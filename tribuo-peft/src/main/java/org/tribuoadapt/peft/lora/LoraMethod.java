package org.tribuoadapt.peft.lora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers LoRA with the adapter files: {@code peft_type} {@value LoraSpec#PEFT_TYPE}, read by
 * {@link LoraSpec#fromPeftConfig}.
 */
public final class LoraMethod extends AbstractPeftMethod<LoraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public LoraMethod() {
        super(LoraSpec.PEFT_TYPE, LoraSpec.class, LoraSpec::fromPeftConfig);
    }
}
