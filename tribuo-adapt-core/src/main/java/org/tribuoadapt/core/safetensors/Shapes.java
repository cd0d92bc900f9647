package org.tribuoadapt.core.safetensors;

import java.util.Arrays;

/**
 * Element and byte counts of tensor shapes, with overflow checks.
 */
final class Shapes {
    /** The largest array length the JVM reliably allocates. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private Shapes() {
    }

    /**
     * The number of elements of a shape: the product of its dimensions (1 for a scalar shape).
     *
     * @param shape dimensions, all non-negative.
     * @return the element count.
     * @throws ArithmeticException if the product does not fit in a long.
     */
    static long elementCount(long[] shape) {
        for (long dim : shape) {
            if (dim == 0) {
                return 0;
            }
        }
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /**
     * The index of the first negative dimension of a shape.
     *
     * @param shape dimensions.
     * @return the index, or -1 if every dimension is non-negative.
     */
    static int firstNegativeDimension(long[] shape) {
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Formats a shape like {@code [32, 16]}.
     *
     * @param shape dimensions.
     * @return the text.
     */
    static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
