package org.tribuoadapt.peft.lokr;

/**
 * How LoKr's factors start (PEFT's {@code init_weights}).
 */
public enum LoKrInit {
    /** {@code W1} (or {@code W1a}) zero and the rest kaiming-uniform, so the adapter starts as a no-op (PEFT's {@code True}). */
    DEFAULT,
    /** LyCORIS' choice: {@code W2} (or {@code W2b}) zero and the rest kaiming-uniform (PEFT's {@code "lycoris"}). */
    LYCORIS,
    /** Every factor kaiming-uniform (PEFT's {@code False}). */
    RANDOM;

    /**
     * Reads PEFT's {@code init_weights}.
     * @param value {@code true}, {@code false} or {@code lycoris}.
     * @return The initialisation.
     * @throws IllegalArgumentException for other values.
     */
    public static LoKrInit fromPeft(String value) {
        switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true":
                return DEFAULT;
            case "false":
                return RANDOM;
            case "lycoris":
                return LYCORIS;
            default:
                throw new IllegalArgumentException("init_weights '" + value + "' is not supported; use true, false or 'lycoris'");
        }
    }

    /**
     * PEFT's {@code init_weights} value.
     * @return A Boolean or a String.
     */
    public Object toPeft() {
        return this == DEFAULT ? Boolean.TRUE : this == RANDOM ? (Object) Boolean.FALSE : "lycoris";
    }
}
