package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;

/**
 * Per-example values ({@code [N]}) applied to batches ({@code [N, ...]}): broadcasting factors, choosing, example by
 * example, between two batches, and selecting the examples a flag is set for.
 */
public final class PerExample {

    private PerExample() {}

    /**
     * Reshapes per-example values so that they broadcast against a batch.
     * @param values Values {@code [N]}.
     * @param batchShape The batch shape.
     * @return Values of shape {@code [N, 1, ..., 1]}.
     */
    public static NDArray column(NDArray values, Shape batchShape) {
        long[] dims = new long[batchShape.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = batchShape.get(0);
        return values.reshape(new Shape(dims));
    }

    /**
     * Chooses each example from {@code whenTrue} or {@code whenFalse}.
     * @param condition Booleans {@code [N]}.
     * @param whenTrue A batch.
     * @param whenFalse A batch of the same shape.
     * @return The chosen examples.
     */
    public static NDArray select(NDArray condition, NDArray whenTrue, NDArray whenFalse) {
        NDArray wide = condition.getShape().equals(whenTrue.getShape()) ? condition
                : column(condition, whenTrue.getShape()).broadcast(whenTrue.getShape());
        return NDArrays.where(wide, whenTrue, whenFalse);
    }

    /**
     * The indices of the examples a flag is set for, as an attack selects the examples still to attack.
     * @param flags One flag per example.
     * @return The indices, increasing.
     */
    public static int[] indicesOf(boolean[] flags) {
        int count = 0;
        for (boolean f : flags) {
            count += f ? 1 : 0;
        }
        int[] out = new int[count];
        int j = 0;
        for (int i = 0; i < flags.length; i++) {
            if (flags[i]) {
                out[j++] = i;
            }
        }
        return out;
    }
}
