package org.tribuoadapt.hpo.steplaw;

/**
 * Ordinary least squares for the log-linear laws of the Step Law: {@code y = X w} solved through the normal
 * equations {@code X^T X w = X^T y} by Gaussian elimination with partial pivoting. The systems are tiny (two or
 * three unknowns), so this is exact enough and needs no linear-algebra library.
 */
final class LogLinearFit {

    private static final double SINGULAR = 1e-10;

    private LogLinearFit() {}

    /**
     * Solves the least-squares problem.
     * @param design The rows of X (each the same length, the first usually 1 for the intercept).
     * @param targets The values y, one per row.
     * @return The coefficients w.
     * @throws IllegalArgumentException if there are fewer rows than unknowns or the columns of X are (nearly)
     *     linearly dependent.
     */
    static double[] solve(double[][] design, double[] targets) {
        int k = design[0].length;
        if (design.length < k) {
            throw new IllegalArgumentException("need at least " + k + " observations to fit " + k + " constants, found " + design.length);
        }
        double[][] system = new double[k][k + 1];
        for (int r = 0; r < design.length; r++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    system[i][j] += design[r][i] * design[r][j];
                }
                system[i][k] += design[r][i] * targets[r];
            }
        }
        double scale = 0;
        for (int i = 0; i < k; i++) {
            scale = Math.max(scale, Math.abs(system[i][i]));
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(system[r][col]) > Math.abs(system[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(system[pivot][col]) <= SINGULAR * scale) {
                throw new IllegalArgumentException("the observations do not determine the fit: the regressors are "
                        + "linearly dependent (for example every run used the same N or D, or N and D grew together)");
            }
            double[] swap = system[col];
            system[col] = system[pivot];
            system[pivot] = swap;
            for (int r = 0; r < k; r++) {
                if (r != col) {
                    double factor = system[r][col] / system[col][col];
                    for (int c = col; c <= k; c++) {
                        system[r][c] -= factor * system[col][c];
                    }
                }
            }
        }
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            out[i] = system[i][k] / system[i][i];
        }
        return out;
    }
}
