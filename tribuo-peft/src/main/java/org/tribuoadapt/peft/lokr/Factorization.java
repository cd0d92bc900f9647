package org.tribuoadapt.peft.lokr;

/**
 * Splits a dimension into two factors for LoKr's Kronecker product, with PEFT's (and LyCORIS') rule: a positive
 * factor that divides the dimension is used as is ({@code (factor, dimension / factor)}); otherwise the pair with the
 * smallest sum whose first member does not exceed the factor (no limit when the factor is not positive) is chosen,
 * smaller member first.
 */
public final class Factorization {

    private Factorization() {}

    /**
     * Factorises a dimension.
     * @param dimension The dimension, positive.
     * @param factor The preferred factor; 0 or negative searches near the square root.
     * @return {@code {m, n}} with {@code m * n == dimension}.
     */
    public static int[] of(int dimension, int factor) {
        if (factor > 0 && dimension % factor == 0) {
            return new int[] {factor, dimension / factor};
        }
        int limit = factor > 0 ? factor : dimension;
        int m = 1;
        int n = dimension;
        int length = m + n;
        while (m < n) {
            int nextM = m + 1;
            while (dimension % nextM != 0) {
                nextM++;
            }
            int nextN = dimension / nextM;
            if (nextM + nextN > length || nextM > limit) {
                break;
            }
            m = nextM;
            n = nextN;
        }
        return m > n ? new int[] {n, m} : new int[] {m, n};
    }
}
