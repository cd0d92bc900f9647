package org.tribuoadapt.peft.svfit;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers SVFit with the adapter files: {@code peft_type} {@value SvfitSpec#PEFT_TYPE}, read by
 * {@link SvfitSpec#fromPeftConfig}.
 */
public final class SvfitMethod extends AbstractPeftMethod<SvfitSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public SvfitMethod() {
        super(SvfitSpec.PEFT_TYPE, SvfitSpec.class, SvfitSpec::fromPeftConfig);
    }
}
