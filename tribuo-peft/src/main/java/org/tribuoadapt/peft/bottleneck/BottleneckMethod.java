package org.tribuoadapt.peft.bottleneck;

import org.tribuoadapt.peft.AbstractPeftMethod;

/**
 * Registers bottleneck adapters with the adapter files: {@code peft_type} {@value BottleneckSpec#PEFT_TYPE}, read by
 * {@link BottleneckSpec#fromPeftConfig}.
 */
public final class BottleneckMethod extends AbstractPeftMethod<BottleneckSpec> {

    /** Creates the registration; {@link java.util.ServiceLoader} calls it. */
    public BottleneckMethod() {
        super(BottleneckSpec.PEFT_TYPE, BottleneckSpec.class, BottleneckSpec::fromPeftConfig);
    }
}
