package org.tribuoadapt.peft.ltsft;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers LT-SFT with the adapter files: {@code peft_type} {@value LtSftSpec#PEFT_TYPE}, read by
 * {@link LtSftSpec#fromPeftConfig}.
 */
public final class LtSftMethod extends AbstractPeftMethod<LtSftSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public LtSftMethod() {
        super(LtSftSpec.PEFT_TYPE, LtSftSpec.class, LtSftSpec::fromPeftConfig);
    }
}
