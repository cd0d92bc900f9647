package org.tribuoadapt.peft.bitfit;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers BitFit with the adapter files: {@code peft_type} {@value BitFitSpec#PEFT_TYPE}, read by
 * {@link BitFitSpec#fromPeftConfig}.
 */
public final class BitFitMethod extends AbstractPeftMethod<BitFitSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public BitFitMethod() {
        super(BitFitSpec.PEFT_TYPE, BitFitSpec.class, BitFitSpec::fromPeftConfig);
    }
}
