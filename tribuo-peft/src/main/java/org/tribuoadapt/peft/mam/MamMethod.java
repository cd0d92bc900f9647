package org.tribuoadapt.peft.mam;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers the mix-and-match adapter with the adapter files: {@code peft_type} {@value MamAdapterSpec#PEFT_TYPE},
 * read by {@link MamAdapterSpec#fromPeftConfig}.
 */
public final class MamMethod extends AbstractPeftMethod<MamAdapterSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public MamMethod() {
        super(MamAdapterSpec.PEFT_TYPE, MamAdapterSpec.class, MamAdapterSpec::fromPeftConfig);
    }
}
