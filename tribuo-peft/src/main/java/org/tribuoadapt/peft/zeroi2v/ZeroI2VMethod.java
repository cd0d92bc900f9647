package org.tribuoadapt.peft.zeroi2v;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers ZeroI2V's linear adapters with the adapter files: {@code peft_type} {@value ZeroI2VSpec#PEFT_TYPE}, read
 * by {@link ZeroI2VSpec#fromPeftConfig}.
 */
public final class ZeroI2VMethod extends AbstractPeftMethod<ZeroI2VSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public ZeroI2VMethod() {
        super(ZeroI2VSpec.PEFT_TYPE, ZeroI2VSpec.class, ZeroI2VSpec::fromPeftConfig);
    }
}
