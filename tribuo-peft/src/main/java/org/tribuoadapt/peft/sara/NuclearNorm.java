package org.tribuoadapt.peft.sara;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.peft.linalg.SingularValueDecomposition;

/**
 * The nuclear norm {@code ||M||_* = sum_i sigma_i} and its subgradient {@code U_k V_k^T} over the k singular values
 * above a small relative tolerance (Watson 1992): SaRA's low-rank constraint on the sparse update (Hu et al. 2025).
 * DJL has no differentiable SVD, so the penalty is written as {@code sum(M ⊙ G)} with {@code G = U_k V_k^T} computed
 * from the values of {@code M} ({@link SingularValueDecomposition}) and held constant: its value is the nuclear norm
 * (up to the singular values below the tolerance) and its gradient with respect to {@code M} is {@code G}.
 */
final class NuclearNorm {

    /** Singular values at or below this share of the largest are treated as zero. */
    static final double RELATIVE_TOLERANCE = 1e-6;

    private NuclearNorm() {}

    /**
     * A subgradient of the nuclear norm at a matrix, {@code U_k V_k^T}; zero at the zero matrix.
     * @param matrix The values, row by row.
     * @param rows The number of rows.
     * @param columns The number of columns.
     * @return {@code G}, row by row.
     */
    static double[] subgradient(float[] matrix, int rows, int columns) {
        SingularValueDecomposition svd = SingularValueDecomposition.of(matrix, rows, columns);
        double[] sigma = svd.singularValues();
        int k = 0;
        while (k < sigma.length && sigma[k] > 0 && sigma[k] > RELATIVE_TOLERANCE * sigma[0]) {
            k++;
        }
        double[] g = new double[rows * columns];
        if (k == 0) {
            return g;
        }
        double[] u = svd.leftVectors(k);
        double[] vt = svd.rightVectorsTransposed(k);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < k; j++) {
                double a = u[r * k + j];
                for (int c = 0; c < columns; c++) {
                    g[r * columns + c] += a * vt[j * columns + c];
                }
            }
        }
        return g;
    }

    /**
     * The nuclear norm of a matrix as a differentiable scalar, {@code sum(M ⊙ G)} with {@code G} the constant
     * {@link #subgradient}.
     * @param matrix A 2-d array, recorded for gradients when they are being recorded.
     * @return The scalar.
     */
    static NDArray of(NDArray matrix) {
        int rows = Math.toIntExact(matrix.getShape().get(0));
        int columns = Math.toIntExact(matrix.getShape().get(1));
        double[] g = subgradient(matrix.toFloatArray(), rows, columns);
        float[] values = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            values[i] = (float) g[i];
        }
        return matrix.mul(matrix.getManager().create(values, matrix.getShape())).sum();
    }
}
