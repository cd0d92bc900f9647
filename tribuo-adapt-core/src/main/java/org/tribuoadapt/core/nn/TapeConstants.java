package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with constants that is safe inside a recorded gradient tape. DJL's {@code NDArray.mul(Number)},
 * {@code muli(Number)}, {@code div(Number)}, {@code maximum(Number)} and {@code pow(Number)} wrap the constant in a tensor that borrows the
 * memory of a Java direct buffer ({@code torch::from_blob}) and close it at once, but PyTorch's autograd keeps that
 * tensor for the backward pass of a product, a quotient, a maximum or a power; if a garbage collection frees the buffer in
 * between, the backward pass reads freed memory and the gradient changes from run to run. The constants made here
 * are allocated by PyTorch itself ({@code torch.full}), so the tape's reference keeps them alive. Every forward pass
 * that may be differentiated multiplies by constants through this class.
 */
public final class TapeConstants {

    private TapeConstants() {}

    /**
     * {@code array * factor}, differentiable in {@code array}.
     * @param array The array.
     * @param factor The constant factor.
     * @return A new array.
     */
    public static NDArray times(NDArray array, double factor) {
        try (NDArray constant = constant(array, factor)) {
            return array.mul(constant);
        }
    }

    /**
     * {@code array *= factor} in place, differentiable in {@code array}.
     * @param array The array, changed in place.
     * @param factor The constant factor.
     * @return {@code array}.
     */
    public static NDArray timesInPlace(NDArray array, double factor) {
        try (NDArray constant = constant(array, factor)) {
            return array.muli(constant);
        }
    }

    /**
     * {@code array / divisor}, differentiable in {@code array}.
     * @param array The array.
     * @param divisor The constant divisor.
     * @return A new array.
     */
    public static NDArray dividedBy(NDArray array, double divisor) {
        try (NDArray constant = constant(array, divisor)) {
            return array.div(constant);
        }
    }

    /**
     * {@code max(array, floor)} element-wise, differentiable in {@code array}.
     * @param array The array.
     * @param floor The constant lower bound.
     * @return A new array.
     */
    public static NDArray atLeast(NDArray array, double floor) {
        try (NDArray constant = constant(array, floor)) {
            return array.maximum(constant);
        }
    }

    /**
     * {@code array ^ exponent} element-wise, differentiable in {@code array}.
     * @param array The array.
     * @param exponent The constant exponent.
     * @return A new array.
     */
    public static NDArray raisedTo(NDArray array, double exponent) {
        try (NDArray constant = constant(array, exponent)) {
            return array.pow(constant);
        }
    }

    private static NDArray constant(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
