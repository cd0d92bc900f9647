package org.tribuoadapt.core.pruning;

/**
 * Linear centred kernel alignment (CKA; Kornblith, Norouzi, Lee and Hinton 2019, "Similarity of Neural Network
 * Representations Revisited"), the similarity of two networks' representations that the three-regime model of
 * pruning (Zhou, Yang, Chang and Mahoney, ICML 2023) uses to split its well-connected regime. For representations
 * {@code X} (n x p) and {@code Y} (n x q) of the same n examples, with every column centred to mean zero,
 * <pre>
 *     CKA(X, Y) = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F),
 * </pre>
 * which equals the biased HSIC form {@code <HKH, HLH> / (||HKH||_F ||HLH||_F)} with the linear Gram matrices
 * {@code K = XX^T}, {@code L = YY^T} and the centring matrix {@code H}. It lies in [0, 1], is 1 for {@code X}
 * against itself, and does not change when either representation is multiplied by an orthogonal matrix or by a
 * non-zero scalar. Sums run in double precision.
 */
public final class LinearCka {

    private LinearCka() {}

    /**
     * Linear CKA of two representations of the same examples.
     * @param x The first, one row per example.
     * @param y The second, one row per example (the widths may differ).
     * @return The similarity, in [0, 1].
     * @throws IllegalArgumentException if the row counts differ, there are fewer than two examples, rows are ragged
     *     or empty, a value is NaN or infinite, or a representation is constant over the examples.
     */
    public static double similarity(double[][] x, double[][] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("CKA needs the same examples in both representations, found " + x.length
                    + " and " + y.length + " rows");
        }
        if (x.length < 2) {
            throw new IllegalArgumentException("CKA needs at least two examples, found " + x.length);
        }
        double[][] xc = centred(x, "first");
        double[][] yc = centred(y, "second");
        double cross = squaredFrobeniusOfProduct(yc, xc);
        double xx = Math.sqrt(squaredFrobeniusOfProduct(xc, xc));
        double yy = Math.sqrt(squaredFrobeniusOfProduct(yc, yc));
        return cross / (xx * yy);
    }

    /** Copies the rows, checks them, and subtracts every column's mean. */
    private static double[][] centred(double[][] rows, String which) {
        int width = rows[0].length;
        if (width == 0) {
            throw new IllegalArgumentException("the " + which + " representation has no features");
        }
        double[] mean = new double[width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " of the " + which + " representation has "
                        + rows[i].length + " values, row 0 has " + width);
            }
            for (int j = 0; j < width; j++) {
                if (!Double.isFinite(rows[i][j])) {
                    throw new IllegalArgumentException("the " + which + " representation holds " + rows[i][j]
                            + " at row " + i + ", column " + j);
                }
                mean[j] += rows[i][j];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] /= rows.length;
        }
        double[][] out = new double[rows.length][width];
        boolean constant = true;
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < width; j++) {
                out[i][j] = rows[i][j] - mean[j];
                constant &= out[i][j] == 0;
            }
        }
        if (constant) {
            throw new IllegalArgumentException("the " + which + " representation is the same for every example, so "
                    + "its CKA is undefined");
        }
        return out;
    }

    /** {@code ||A^T B||_F^2} for A (n x a) and B (n x b). */
    private static double squaredFrobeniusOfProduct(double[][] a, double[][] b) {
        int n = a.length;
        double sum = 0;
        for (int i = 0; i < a[0].length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += a[k][i] * b[k][j];
                }
                sum += dot * dot;
            }
        }
        return sum;
    }
}
