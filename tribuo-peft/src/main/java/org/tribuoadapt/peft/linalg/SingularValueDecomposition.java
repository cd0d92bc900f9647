package org.tribuoadapt.peft.linalg;

import java.util.Arrays;

/**
 * The thin singular value decomposition {@code A = U diag(S) V^T} of a real matrix, computed in double precision by
 * one-sided Jacobi rotations (Hestenes 1958; Demmel and Veselic 1992), with the singular values in descending order.
 * It is written in Java because DJL exposes no SVD, and it is deterministic: the same matrix gives the same factors
 * on every machine. PiSSA initialisation and the {@code svd} combination of adapters use it.
 */
public final class SingularValueDecomposition {

    private static final int MAX_SWEEPS = 80;
    private static final double TOLERANCE = 1e-15;

    private final int rows;
    private final int columns;
    private final double[][] leftVectors;
    private final double[] values;
    private final double[][] rightVectors;

    private SingularValueDecomposition(int rows, int columns, double[][] leftVectors, double[] values,
                                       double[][] rightVectors) {
        this.rows = rows;
        this.columns = columns;
        this.leftVectors = leftVectors;
        this.values = values;
        this.rightVectors = rightVectors;
    }

    /**
     * Decomposes a row-major matrix.
     * @param matrix The values, {@code rows * columns} of them, row by row.
     * @param rows The number of rows.
     * @param columns The number of columns.
     * @return The decomposition, with {@code min(rows, columns)} singular values.
     * @throws IllegalArgumentException if the sizes do not fit or a value is not finite.
     */
    public static SingularValueDecomposition of(float[] matrix, int rows, int columns) {
        double[] values = new double[matrix.length];
        for (int i = 0; i < matrix.length; i++) {
            values[i] = matrix[i];
        }
        return of(values, rows, columns);
    }

    /**
     * Decomposes a row-major matrix given in double precision.
     * @param matrix The values, {@code rows * columns} of them, row by row.
     * @param rows The number of rows.
     * @param columns The number of columns.
     * @return The decomposition, with {@code min(rows, columns)} singular values.
     * @throws IllegalArgumentException if the sizes do not fit or a value is not finite.
     */
    public static SingularValueDecomposition of(double[] matrix, int rows, int columns) {
        if (rows < 1 || columns < 1 || (long) rows * columns != matrix.length) {
            throw new IllegalArgumentException("a " + rows + "x" + columns + " matrix needs " + ((long) rows * columns)
                    + " values, found " + matrix.length);
        }
        for (double v : matrix) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("cannot decompose a matrix holding " + v);
            }
        }
        boolean transposed = rows < columns;
        int m = transposed ? columns : rows;
        int n = transposed ? rows : columns;
        // work[j] is column j of the (possibly transposed) m x n matrix, m >= n
        double[][] work = new double[n][m];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double v = matrix[r * columns + c];
                if (transposed) {
                    work[r][c] = v;
                } else {
                    work[c][r] = v;
                }
            }
        }
        double[][] v = new double[n][n];
        for (int j = 0; j < n; j++) {
            v[j][j] = 1.0;
        }
        rotate(work, v);
        double[] sigma = new double[n];
        for (int j = 0; j < n; j++) {
            sigma[j] = Math.sqrt(dot(work[j], work[j]));
        }
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> Double.compare(sigma[b], sigma[a]));
        double[] values = new double[n];
        double[][] left = new double[n][];
        double[][] right = new double[n][];
        for (int k = 0; k < n; k++) {
            int j = order[k];
            values[k] = sigma[j];
            double[] u = new double[m];
            if (sigma[j] > 0) {
                for (int i = 0; i < m; i++) {
                    u[i] = work[j][i] / sigma[j];
                }
            }
            left[k] = u;
            right[k] = v[j];
        }
        // for the transposed matrix A^T = U S V^T, so A = V S U^T: swap the roles of the vectors
        return transposed ? new SingularValueDecomposition(rows, columns, right, values, left)
                : new SingularValueDecomposition(rows, columns, left, values, right);
    }

    /** Orthogonalises the columns of {@code work} by plane rotations, accumulating them in {@code v}. */
    private static void rotate(double[][] work, double[][] v) {
        int n = work.length;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = dot(work[p], work[p]);
                    double beta = dot(work[q], work[q]);
                    double gamma = dot(work[p], work[q]);
                    if (gamma == 0 || Math.abs(gamma) <= TOLERANCE * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double c = 1 / Math.sqrt(1 + t * t);
                    double s = c * t;
                    apply(work[p], work[q], c, s);
                    apply(v[p], v[q], c, s);
                }
            }
            if (!rotated) {
                return;
            }
        }
    }

    private static void apply(double[] x, double[] y, double c, double s) {
        for (int i = 0; i < x.length; i++) {
            double a = x[i];
            double b = y[i];
            x[i] = c * a - s * b;
            y[i] = s * a + c * b;
        }
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }

    /** @return The number of singular values, {@code min(rows, columns)}. */
    public int size() {
        return values.length;
    }

    /**
     * The singular values, descending.
     * @return A copy of the values.
     */
    public double[] singularValues() {
        return values.clone();
    }

    /**
     * The first {@code k} left singular vectors as a row-major {@code rows x k} matrix ({@code U[:, :k]}).
     * @param k How many vectors.
     * @return The matrix.
     */
    public double[] leftVectors(int k) {
        check(k);
        double[] out = new double[rows * k];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < rows; i++) {
                out[i * k + j] = leftVectors[j][i];
            }
        }
        return out;
    }

    /**
     * The first {@code k} right singular vectors as a row-major {@code k x columns} matrix ({@code V^T[:k, :]}).
     * @param k How many vectors.
     * @return The matrix.
     */
    public double[] rightVectorsTransposed(int k) {
        check(k);
        double[] out = new double[k * columns];
        for (int j = 0; j < k; j++) {
            System.arraycopy(rightVectors[j], 0, out, j * columns, columns);
        }
        return out;
    }

    private void check(int k) {
        if (k < 1 || k > values.length) {
            throw new IllegalArgumentException("asked for " + k + " singular vectors of a " + rows + "x" + columns
                    + " matrix, which has " + values.length);
        }
    }
}
