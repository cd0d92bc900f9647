package org.tribuoadapt.peft.diffusekrona;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers DiffuseKronA with the adapter files: {@code peft_type} {@value DiffuseKronASpec#PEFT_TYPE}, read by
 * {@link DiffuseKronASpec#fromPeftConfig}.
 */
public final class DiffuseKronAMethod extends AbstractPeftMethod<DiffuseKronASpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public DiffuseKronAMethod() {
        super(DiffuseKronASpec.PEFT_TYPE, DiffuseKronASpec.class, DiffuseKronASpec::fromPeftConfig);
    }
}
