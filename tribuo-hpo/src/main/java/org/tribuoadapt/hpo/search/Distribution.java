package org.tribuoadapt.hpo.search;

/**
 * The range of one searched property, with Optuna's two representations of a value: the external one that the
 * configuration receives (a {@code Double}, a {@code Long} or a {@code String}) and the internal {@code double} that
 * samplers and the journal work with (the value itself, or a categorical choice's index).
 */
public sealed interface Distribution permits FloatDistribution, IntDistribution, CategoricalDistribution {

    /**
     * Converts an external value to its internal representation.
     * @param external The value.
     * @return The internal representation.
     * @throws IllegalArgumentException If the value is outside the distribution.
     */
    double toInternal(Object external);

    /**
     * Converts an internal representation back to the external value.
     * @param internal The internal representation.
     * @return The external value.
     */
    Object toExternal(double internal);

    /**
     * Whether an internal representation lies in the distribution.
     * @param internal The internal representation.
     * @return True if it is a value the distribution can produce.
     */
    boolean contains(double internal);

    /**
     * Checks an external value, naming the distribution when it does not belong to it.
     * @param name The parameter name, for the error.
     * @param internal The internal representation.
     * @return The internal representation.
     */
    default double checked(String name, double internal) {
        if (!contains(internal)) {
            throw new IllegalArgumentException("value " + internal + " of '" + name + "' is outside " + this);
        }
        return internal;
    }
}
