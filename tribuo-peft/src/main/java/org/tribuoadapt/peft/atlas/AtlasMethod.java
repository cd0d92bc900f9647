package org.tribuoadapt.peft.atlas;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers aTLAS with the adapter files: {@code peft_type} {@value AtlasSpec#PEFT_TYPE}, read by
 * {@link AtlasSpec#fromPeftConfig}.
 */
public final class AtlasMethod extends AbstractPeftMethod<AtlasSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public AtlasMethod() {
        super(AtlasSpec.PEFT_TYPE, AtlasSpec.class, AtlasSpec::fromPeftConfig);
    }
}
