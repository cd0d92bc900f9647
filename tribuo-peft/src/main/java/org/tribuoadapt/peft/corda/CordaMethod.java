package org.tribuoadapt.peft.corda;

import java.util.Locale;

/**
 * Which singular components of the covariance-weighted weight {@code W C} a CorDA adapter trains (Yang et al. 2024,
 * section 3.2; PEFT's {@code corda_method}).
 */
public enum CordaMethod {
    /**
     * Instruction-previewed mode: the adapter takes the {@code r} largest components, those the task's inputs
     * excite most, and the smaller ones stay frozen in the residual base (PEFT's {@code "ipm"}).
     */
    IPM,
    /**
     * Knowledge-preserved mode: the adapter takes the {@code r} smallest components, and the principal ones, which
     * carry the knowledge the inputs (from the knowledge to keep) rely on, stay frozen in the residual base (PEFT's
     * {@code "kpm"}).
     */
    KPM;

    /**
     * Reads PEFT's {@code corda_method}.
     * @param value {@code ipm} or {@code kpm}.
     * @return The mode.
     * @throws IllegalArgumentException for other values.
     */
    public static CordaMethod fromPeft(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "ipm":
                return IPM;
            case "kpm":
                return KPM;
            default:
                throw new IllegalArgumentException("corda_method '" + value + "' is not supported; use 'ipm' or 'kpm'");
        }
    }

    /** @return PEFT's {@code corda_method} value. */
    public String toPeft() {
        return name().toLowerCase(Locale.ROOT);
    }
}
