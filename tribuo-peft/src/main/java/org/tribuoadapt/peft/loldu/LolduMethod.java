package org.tribuoadapt.peft.loldu;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers LoLDU with the adapter files: {@code peft_type} {@value LolduSpec#PEFT_TYPE}, read by
 * {@link LolduSpec#fromPeftConfig}.
 */
public final class LolduMethod extends AbstractPeftMethod<LolduSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public LolduMethod() {
        super(LolduSpec.PEFT_TYPE, LolduSpec.class, LolduSpec::fromPeftConfig);
    }
}
