package org.tribuoadapt.peft.diffora;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers DiffoRA's relaxed adapter with the adapter files: {@code peft_type} {@value DifforaSpec#PEFT_TYPE}, read by
 * {@link DifforaSpec#fromPeftConfig}. A discretised DiffoRA adapter is plain LoRA and is saved as such.
 */
public final class DifforaMethod extends AbstractPeftMethod<DifforaSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public DifforaMethod() {
        super(DifforaSpec.PEFT_TYPE, DifforaSpec.class, DifforaSpec::fromPeftConfig);
    }
}
