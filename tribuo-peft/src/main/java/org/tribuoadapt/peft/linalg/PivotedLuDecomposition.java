package org.tribuoadapt.peft.linalg;

/**
 * The LU decomposition with partial (row) pivoting {@code A = P L U} of a real {@code m x n} matrix, computed in double
 * precision as LAPACK's {@code getrf} does (and so as {@code torch.linalg.lu}): at each column the row with the largest
 * absolute value (the first, on ties) becomes the pivot. {@code L} is {@code m x k} unit lower triangular and
 * {@code U} is {@code k x n} upper triangular, {@code k = min(m, n)}. Writing {@code U = D U'} with {@code D} its
 * diagonal gives the LDU decomposition LoLDU starts from (Shi et al. 2024).
 */
public final class PivotedLuDecomposition {

    private final int rows;
    private final int columns;
    private final double[][] factors;
    private final int[] rowOrder;

    private PivotedLuDecomposition(int rows, int columns, double[][] factors, int[] rowOrder) {
        this.rows = rows;
        this.columns = columns;
        this.factors = factors;
        this.rowOrder = rowOrder;
    }

    /**
     * Decomposes a row-major matrix.
     * @param matrix The values, {@code rows * columns} of them, row by row.
     * @param rows The number of rows.
     * @param columns The number of columns.
     * @return The decomposition.
     * @throws IllegalArgumentException if the sizes do not fit or a value is not finite.
     */
    public static PivotedLuDecomposition of(float[] matrix, int rows, int columns) {
        if (rows < 1 || columns < 1 || (long) rows * columns != matrix.length) {
            throw new IllegalArgumentException("a " + rows + "x" + columns + " matrix needs " + ((long) rows * columns)
                    + " values, found " + matrix.length);
        }
        double[][] a = new double[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                float v = matrix[r * columns + c];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("cannot decompose a matrix holding " + v);
                }
                a[r][c] = v;
            }
        }
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        int k = Math.min(rows, columns);
        for (int j = 0; j < k; j++) {
            int pivot = j;
            for (int i = j + 1; i < rows; i++) {
                if (Math.abs(a[i][j]) > Math.abs(a[pivot][j])) {
                    pivot = i;
                }
            }
            if (pivot != j) {
                double[] row = a[j];
                a[j] = a[pivot];
                a[pivot] = row;
                int index = order[j];
                order[j] = order[pivot];
                order[pivot] = index;
            }
            if (a[j][j] != 0) {
                for (int i = j + 1; i < rows; i++) {
                    a[i][j] /= a[j][j];
                    for (int c = j + 1; c < columns; c++) {
                        a[i][c] -= a[i][j] * a[j][c];
                    }
                }
            }
        }
        return new PivotedLuDecomposition(rows, columns, a, order);
    }

    /** @return {@code min(rows, columns)}, the inner dimension of the factors. */
    public int size() {
        return Math.min(rows, columns);
    }

    /**
     * The pivots, the diagonal {@code D} of {@code U}.
     * @return The {@code k} diagonal values.
     */
    public double[] pivots() {
        double[] out = new double[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = factors[i][i];
        }
        return out;
    }

    /**
     * The first {@code r} columns of the row-permuted lower factor, {@code (P L)[:, :r]}, row-major {@code rows x r}.
     * @param r How many columns.
     * @return The matrix.
     */
    public double[] permutedLower(int r) {
        check(r);
        double[] out = new double[rows * r];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < r; j++) {
                double v = j < i ? factors[i][j] : j == i ? 1 : 0;
                out[rowOrder[i] * r + j] = v;
            }
        }
        return out;
    }

    /**
     * The first {@code r} rows of the upper factor, {@code U[:r, :]}, row-major {@code r x columns}.
     * @param r How many rows.
     * @return The matrix.
     */
    public double[] upper(int r) {
        check(r);
        double[] out = new double[r * columns];
        for (int i = 0; i < r; i++) {
            for (int c = i; c < columns; c++) {
                out[i * columns + c] = factors[i][c];
            }
        }
        return out;
    }

    private void check(int r) {
        if (r < 1 || r > size()) {
            throw new IllegalArgumentException("asked for " + r + " LU factors of a " + rows + "x" + columns
                    + " matrix, which has " + size());
        }
    }
}
