package org.tribuoadapt.peft.ia3;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers IA3 with the adapter files: {@code peft_type} {@value IA3Spec#PEFT_TYPE}, read by
 * {@link IA3Spec#fromPeftConfig}.
 */
public final class IA3Method extends AbstractPeftMethod<IA3Spec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public IA3Method() {
        super(IA3Spec.PEFT_TYPE, IA3Spec.class, IA3Spec::fromPeftConfig);
    }
}
