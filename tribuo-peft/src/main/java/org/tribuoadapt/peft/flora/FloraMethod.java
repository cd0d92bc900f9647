package org.tribuoadapt.peft.flora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers FLoRA with the adapter files: {@code peft_type} {@value FloraSpec#PEFT_TYPE}, read by
 * {@link FloraSpec#fromPeftConfig}.
 */
public final class FloraMethod extends AbstractPeftMethod<FloraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public FloraMethod() {
        super(FloraSpec.PEFT_TYPE, FloraSpec.class, FloraSpec::fromPeftConfig);
    }
}
