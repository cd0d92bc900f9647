package org.tribuoadapt.hpo.search;

/**
 * Whether a study minimises or maximises its objective, with Optuna's {@code StudyDirection} codes.
 */
public enum Direction {
    /** Lower is better. */
    MINIMIZE(1),
    /** Higher is better. */
    MAXIMIZE(2);

    private final int code;

    Direction(int code) {
        this.code = code;
    }

    /**
     * Optuna's code.
     * @return The integer the journal stores.
     */
    public int code() {
        return code;
    }

    /**
     * A value to minimise whatever the direction.
     * @param value The objective value.
     * @return The value, negated when maximising.
     */
    public double loss(double value) {
        return this == MINIMIZE ? value : -value;
    }

    /**
     * The direction with an Optuna code.
     * @param code The code.
     * @return The direction.
     */
    public static Direction ofCode(int code) {
        for (Direction d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported study direction code " + code + "; expected 1 (minimize) or 2 (maximize)");
    }
}
