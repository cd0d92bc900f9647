package org.tribuoadapt.peft.prompt;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers prompt tuning with the adapter files: {@code peft_type} {@value PromptTuningSpec#PEFT_TYPE}, read by
 * {@link PromptTuningSpec#fromPeftConfig}.
 */
public final class PromptTuningMethod extends AbstractPeftMethod<PromptTuningSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public PromptTuningMethod() {
        super(PromptTuningSpec.PEFT_TYPE, PromptTuningSpec.class, PromptTuningSpec::fromPeftConfig);
    }
}
