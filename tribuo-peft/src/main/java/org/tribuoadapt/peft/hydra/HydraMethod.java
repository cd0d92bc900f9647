package org.tribuoadapt.peft.hydra;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers Hydra with the adapter files: {@code peft_type} {@value HydraSpec#PEFT_TYPE}, read by
 * {@link HydraSpec#fromPeftConfig}.
 */
public final class HydraMethod extends AbstractPeftMethod<HydraSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public HydraMethod() {
        super(HydraSpec.PEFT_TYPE, HydraSpec.class, HydraSpec::fromPeftConfig);
    }
}
