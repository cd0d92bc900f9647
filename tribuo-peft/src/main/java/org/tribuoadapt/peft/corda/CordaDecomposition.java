package org.tribuoadapt.peft.corda;

import org.tribuoadapt.peft.linalg.MatrixInverse;
import org.tribuoadapt.peft.linalg.SingularValueDecomposition;

/**
 * CorDA's context-oriented decomposition of one Linear weight (Yang et al. 2024, eq. 2-4): with {@code C} the
 * covariance of the layer's inputs, the singular value decomposition {@code W C = U S V^T} gives
 * {@code W = U S (V^T C^{-1})}, and a rank-{@code r} slice of it becomes the LoRA factors
 * {@code A = sqrt(S_r / s) (V^T C^{-1})_r}, {@code B = U_r sqrt(S_r / s)} (as PEFT's {@code corda_init} builds them),
 * while the base weight becomes the residual {@code W - s B A}. {@link CordaMethod#IPM} takes the {@code r} largest
 * components, {@link CordaMethod#KPM} the {@code r} smallest.
 * <p>
 * Damping: a covariance of few or repetitive inputs is singular or ill-conditioned, so, as PEFT does, the
 * decomposition uses {@code C + d mean(diag C) I}, starting from {@code d = 0.01} and doubling {@code d} until the
 * computed inverse satisfies {@code ||C_d C_d^{-1} - I||_F < 0.05}. Damping changes which directions are chosen but
 * not the identity {@code W = residual + s B A}, which holds by construction.
 */
public final class CordaDecomposition {

    /** PEFT's starting relative damping. */
    static final double INITIAL_DAMPING = 0.01;
    /** PEFT's bound on the Frobenius error of the inverse. */
    static final double INVERSE_TOLERANCE = 0.05;
    /** How often the damping may double before the covariance is rejected. */
    private static final int MAX_DOUBLINGS = 40;

    private final int rows;
    private final int columns;
    private final int rank;
    private final double damping;
    private final double[] values;
    private final double[] left;
    private final double[] right;

    private CordaDecomposition(int rows, int columns, int rank, double damping, double[] values, double[] left,
                               double[] right) {
        this.rows = rows;
        this.columns = columns;
        this.rank = rank;
        this.damping = damping;
        this.values = values;
        this.left = left;
        this.right = right;
    }

    /**
     * Decomposes a weight.
     * @param weight The weight {@code W}, row-major {@code out x in}.
     * @param out Its rows.
     * @param in Its columns, the input width.
     * @param covariance The input covariance {@code C}, row-major {@code in x in}.
     * @param rank How many components the adapter takes, at most {@code min(out, in)}.
     * @param method Which components.
     * @return The selected components.
     * @throws IllegalArgumentException if the sizes do not fit, a value is not finite, the covariance is zero, or no
     * damping makes it invertible.
     */
    public static CordaDecomposition of(float[] weight, int out, int in, double[] covariance, int rank, CordaMethod method) {
        if ((long) out * in != weight.length) {
            throw new IllegalArgumentException("a " + out + "x" + in + " weight needs " + ((long) out * in)
                    + " values, found " + weight.length);
        }
        if ((long) in * in != covariance.length) {
            throw new IllegalArgumentException("the covariance of " + in + " inputs needs " + ((long) in * in)
                    + " values, found " + covariance.length);
        }
        int size = Math.min(out, in);
        if (rank < 1 || rank > size) {
            throw new IllegalArgumentException("CorDA needs 1 <= rank <= min(out, in) = " + size + ", found rank " + rank);
        }
        double meanDiagonal = 0;
        for (int i = 0; i < in; i++) {
            meanDiagonal += covariance[i * in + i] / in;
        }
        if (!Double.isFinite(meanDiagonal) || meanDiagonal <= 0) {
            throw new IllegalArgumentException("the input covariance must have a positive finite diagonal mean, found "
                    + meanDiagonal + "; were the layer's inputs all zero?");
        }
        double d = INITIAL_DAMPING;
        for (int attempt = 0; attempt <= MAX_DOUBLINGS; attempt++, d *= 2) {
            double[] damped = covariance.clone();
            for (int i = 0; i < in; i++) {
                damped[i * in + i] += d * meanDiagonal;
            }
            double[] inverse;
            try {
                inverse = MatrixInverse.of(damped, in);
            } catch (IllegalArgumentException singular) {
                continue;
            }
            if (inverseError(damped, inverse, in) < INVERSE_TOLERANCE) {
                return decompose(weight, out, in, damped, inverse, rank, method, d);
            }
        }
        throw new IllegalArgumentException("the input covariance stays singular after damping it by " + d / 2
                + " times its mean diagonal");
    }

    private static double inverseError(double[] matrix, double[] inverse, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = i == j ? -1.0 : 0.0;
                for (int k = 0; k < n; k++) {
                    v += matrix[i * n + k] * inverse[k * n + j];
                }
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }

    private static CordaDecomposition decompose(float[] weight, int out, int in, double[] covariance, double[] inverse,
                                                int rank, CordaMethod method, double damping) {
        SingularValueDecomposition svd = SingularValueDecomposition.of(multiply(weight, covariance, out, in), out, in);
        int size = svd.size();
        int first = method == CordaMethod.IPM ? 0 : size - rank;
        double[] allValues = svd.singularValues();
        double[] u = svd.leftVectors(size);
        double[] vt = svd.rightVectorsTransposed(size);
        double[] values = new double[rank];
        double[] left = new double[out * rank];
        double[] right = new double[rank * in];
        for (int k = 0; k < rank; k++) {
            int c = first + k;
            values[k] = allValues[c];
            for (int o = 0; o < out; o++) {
                left[o * rank + k] = u[o * size + c];
            }
            // row k of V^T C^{-1}
            for (int j = 0; j < in; j++) {
                double v = 0;
                for (int i = 0; i < in; i++) {
                    v += vt[c * in + i] * inverse[i * in + j];
                }
                right[k * in + j] = v;
            }
        }
        return new CordaDecomposition(out, in, rank, damping, values, left, right);
    }

    /** {@code W C} for a row-major float {@code W} and double {@code C}. */
    private static double[] multiply(float[] weight, double[] covariance, int out, int in) {
        double[] product = new double[out * in];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < in; k++) {
                double w = weight[o * in + k];
                if (w != 0) {
                    for (int j = 0; j < in; j++) {
                        product[o * in + j] += w * covariance[k * in + j];
                    }
                }
            }
        }
        return product;
    }

    /** @return The relative damping {@code d} the covariance needed. */
    public double damping() {
        return damping;
    }

    /** @return The selected singular values of {@code W C}, in the order of the factors' rows. */
    public double[] singularValues() {
        return values.clone();
    }

    /**
     * LoRA's factor {@code A = sqrt(S_r / s) (V^T C^{-1})_r}.
     * @param scaling The adapter's scaling {@code s}.
     * @return Row-major {@code r x in}.
     */
    public float[] factorA(double scaling) {
        float[] a = new float[rank * columns];
        for (int k = 0; k < rank; k++) {
            double root = Math.sqrt(values[k] / scaling);
            for (int j = 0; j < columns; j++) {
                a[k * columns + j] = (float) (root * right[k * columns + j]);
            }
        }
        return a;
    }

    /**
     * LoRA's factor {@code B = U_r sqrt(S_r / s)}.
     * @param scaling The adapter's scaling {@code s}.
     * @return Row-major {@code out x r}.
     */
    public float[] factorB(double scaling) {
        float[] b = new float[rows * rank];
        for (int k = 0; k < rank; k++) {
            double root = Math.sqrt(values[k] / scaling);
            for (int o = 0; o < rows; o++) {
                b[o * rank + k] = (float) (left[o * rank + k] * root);
            }
        }
        return b;
    }
}
