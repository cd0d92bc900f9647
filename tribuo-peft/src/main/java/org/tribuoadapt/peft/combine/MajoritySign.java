package org.tribuoadapt.peft.combine;

/**
 * How TIES elects the sign of each entry (PEFT's {@code majority_sign_method}).
 */
public enum MajoritySign {
    /** The sign of the sum of the task tensors (the total mass). */
    TOTAL,
    /** The sign held by more task tensors. */
    FREQUENCY
}
