package org.tribuoadapt.peft.linalg;

/**
 * The inverse of a square real matrix by Gauss-Jordan elimination with partial (row) pivoting, in double precision.
 * CorDA uses it to undo the covariance it multiplies the weight by.
 */
public final class MatrixInverse {

    private MatrixInverse() {}

    /**
     * Inverts a row-major {@code n x n} matrix.
     * @param matrix The values, {@code n * n} of them, row by row; not changed.
     * @param n The order.
     * @return The inverse, row-major.
     * @throws IllegalArgumentException if the sizes do not fit, a value is not finite or the matrix is singular.
     */
    public static double[] of(double[] matrix, int n) {
        if (n < 1 || (long) n * n != matrix.length) {
            throw new IllegalArgumentException("a " + n + "x" + n + " matrix needs " + ((long) n * n) + " values, found "
                    + matrix.length);
        }
        double[][] work = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = matrix[i * n + j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("cannot invert a matrix holding " + v);
                }
                work[i][j] = v;
            }
            work[i][n + i] = 1.0;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(work[r][col]) > Math.abs(work[pivot][col])) {
                    pivot = r;
                }
            }
            if (work[pivot][col] == 0.0) {
                throw new IllegalArgumentException("the " + n + "x" + n + " matrix is singular (column " + col + ")");
            }
            double[] swap = work[col];
            work[col] = work[pivot];
            work[pivot] = swap;
            double scale = 1.0 / work[col][col];
            for (int j = 0; j < 2 * n; j++) {
                work[col][j] *= scale;
            }
            for (int r = 0; r < n; r++) {
                double factor = work[r][col];
                if (r != col && factor != 0.0) {
                    for (int j = 0; j < 2 * n; j++) {
                        work[r][j] -= factor * work[col][j];
                    }
                }
            }
        }
        double[] inverse = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(work[i], n, inverse, i * n, n);
        }
        return inverse;
    }
}
