package org.tribuoadapt.peft.poly;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers Poly / MHR with the adapter files: {@code peft_type} {@value PolySpec#PEFT_TYPE}, read by
 * {@link PolySpec#fromPeftConfig}.
 */
public final class PolyMethod extends AbstractPeftMethod<PolySpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public PolyMethod() {
        super(PolySpec.PEFT_TYPE, PolySpec.class, PolySpec::fromPeftConfig);
    }
}
