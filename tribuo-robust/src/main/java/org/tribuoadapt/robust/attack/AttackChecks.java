package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.model.LogitNetwork;

/**
 * The validation every attack shares: a budget that is finite and non-negative, positive counts, and batches whose
 * shapes match the attacked classifier.
 */
public final class AttackChecks {

    private AttackChecks() {}

    /**
     * Checks a budget.
     * @param epsilon The budget.
     * @throws PropertyException if it is negative or not finite.
     */
    public static void epsilon(double epsilon) {
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new PropertyException("", "epsilon", "epsilon must be finite and >= 0, found " + epsilon);
        }
    }

    /**
     * Checks a count.
     * @param name The field name.
     * @param value The value.
     * @throws PropertyException if it is below 1.
     */
    public static void positive(String name, int value) {
        if (value < 1) {
            throw new PropertyException("", name, name + " must be at least 1, found " + value);
        }
    }

    /**
     * Checks that a batch fits the classifier.
     * @param classifier The classifier.
     * @param inputs The inputs.
     * @param labels The labels.
     * @throws IllegalArgumentException naming both shapes.
     */
    public static void batch(LogitNetwork classifier, NDArray inputs, NDArray labels) {
        if (inputs.getShape().dimension() != classifier.inputShape().dimension() + 1
                || !inputs.getShape().slice(1).equals(classifier.inputShape())) {
            throw new IllegalArgumentException("the classifier takes inputs of shape [N, " + classifier.inputShape()
                    + "] but the batch has shape " + inputs.getShape());
        }
        if (labels.getShape().dimension() != 1 || labels.getShape().get(0) != inputs.getShape().get(0)) {
            throw new IllegalArgumentException("a batch of " + inputs.getShape().get(0) + " inputs needs labels of shape ["
                    + inputs.getShape().get(0) + "], found " + labels.getShape());
        }
    }
}
