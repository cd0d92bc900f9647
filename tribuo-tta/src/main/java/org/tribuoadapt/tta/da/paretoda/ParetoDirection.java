package org.tribuoadapt.tta.da.paretoda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The direction searches of multi-objective gradient descent, on the Gram matrix {@code G[i][j] = g_i . g_j} of
 * the objectives' gradients. Both return weights {@code alpha} on the probability simplex; the update direction is
 * {@code d = sum_i alpha_i g_i}, and a step {@code -lr * d} moves every objective down to first order when
 * {@code d . g_j >= 0} for every {@code j}.
 * <ul>
 *     <li>{@link #minNorm}: the min-norm point of the gradients' convex hull (Désidéri's MGDA, as Sener and Koltun
 *     2018 use it), for which {@code d . g_j >= |d|^2} for every {@code j}. It is solved exactly by trying every
 *     support: on each set of affinely independent gradients the affine min-norm point comes from the KKT system
 *     {@code [G_S 1; 1^T 0] [alpha; -lambda] = [0; 1]}, and the feasible one with the smallest norm is the
 *     answer.</li>
 *     <li>{@link #guided}: ParetoDA's target-prediction-guided search (Lv et al. 2021, "Pareto Domain Adaptation",
 *     NeurIPS, section 3.3): among the convex combinations that are common descent directions
 *     ({@code G alpha >= 0}), the one most aligned with the gradient of the held-out target loss,
 *     {@code max_alpha alpha . a} with {@code a_i = g_i . g_val}. The min-norm weights are always feasible, so the
 *     linear programme always has a solution; it is solved exactly by enumerating the vertices of the feasible
 *     polytope.</li>
 * </ul>
 * Both searches enumerate subsets of the objectives, so they are meant for a handful of objectives (at most
 * {@value #MAX_OBJECTIVES}).
 */
public final class ParetoDirection {

    /** The most objectives a search accepts. */
    public static final int MAX_OBJECTIVES = 8;

    /** Relative tolerance of the feasibility and singularity checks. */
    private static final double TOLERANCE = 1e-10;

    private ParetoDirection() {}

    /**
     * The weights of the min-norm point of the gradients' convex hull.
     * @param gram The Gram matrix of the gradients, symmetric and positive semi-definite.
     * @return The weights, non-negative and summing to 1; among equally short points the first support found (in
     * the order of the subsets' bit masks) wins.
     */
    public static double[] minNorm(double[][] gram) {
        int m = checkGram(gram);
        double[][] g = scaled(gram);
        double[] best = null;
        double bestNorm = Double.POSITIVE_INFINITY;
        for (int mask = 1; mask < (1 << m); mask++) {
            int[] support = support(mask, m);
            int k = support.length;
            double[][] system = new double[k + 1][k + 2];
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    system[r][c] = g[support[r]][support[c]];
                }
                system[r][k] = 1;
                system[k][r] = 1;
            }
            system[k][k + 1] = 1;
            double[] solution = solve(system);
            if (solution == null) {
                continue;
            }
            double[] alpha = new double[m];
            boolean feasible = true;
            for (int r = 0; r < k; r++) {
                feasible &= solution[r] >= -TOLERANCE;
                alpha[support[r]] = Math.max(0, solution[r]);
            }
            if (!feasible) {
                continue;
            }
            normalise(alpha);
            double norm = quadratic(g, alpha);
            if (norm < bestNorm - TOLERANCE) {
                best = alpha;
                bestNorm = norm;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no min-norm point was found for the Gram matrix; is it positive "
                    + "semi-definite?");
        }
        return best;
    }

    /**
     * ParetoDA's guided weights: maximise {@code alpha . guide} over the simplex subject to {@code G alpha >= 0}.
     * @param gram The Gram matrix of the objectives' gradients.
     * @param guide {@code guide[i] = g_i . g_val}, the products of each gradient with the held-out loss's gradient.
     * @return The weights, non-negative and summing to 1; among vertices that align equally well the one with the
     * smallest {@code |d|} wins, then the first found.
     */
    public static double[] guided(double[][] gram, double[] guide) {
        int m = checkGram(gram);
        if (guide.length != m) {
            throw new IllegalArgumentException("the guide has " + guide.length + " products, but there are " + m
                    + " objectives");
        }
        for (int i = 0; i < m; i++) {
            if (!Double.isFinite(guide[i])) {
                throw new IllegalArgumentException("guide product " + i + " is " + guide[i]);
            }
        }
        double[][] g = scaled(gram);
        double guideScale = 0;
        for (double v : guide) {
            guideScale = Math.max(guideScale, Math.abs(v));
        }
        double[] a = new double[m];
        for (int i = 0; i < m; i++) {
            a[i] = guideScale == 0 ? 0 : guide[i] / guideScale;
        }
        // inequality rows: alpha_i >= 0 (rows 0..m-1), then (G alpha)_j >= 0 (rows m..2m-1)
        double[][] rows = new double[2 * m][m];
        for (int i = 0; i < m; i++) {
            rows[i][i] = 1;
            rows[m + i] = g[i].clone();
        }
        double[] best = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        double bestNorm = Double.POSITIVE_INFINITY;
        for (int[] active : combinations(2 * m, m - 1)) {
            double[][] system = new double[m][m + 1];
            for (int r = 0; r < m - 1; r++) {
                System.arraycopy(rows[active[r]], 0, system[r], 0, m);
            }
            Arrays.fill(system[m - 1], 0, m, 1);
            system[m - 1][m] = 1;
            double[] alpha = solve(system);
            if (alpha == null || !satisfies(rows, alpha)) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                alpha[i] = Math.max(0, alpha[i]);
            }
            normalise(alpha);
            double value = dot(a, alpha);
            double norm = quadratic(g, alpha);
            if (value > bestValue + TOLERANCE || (value > bestValue - TOLERANCE && norm < bestNorm - TOLERANCE)) {
                best = alpha;
                bestValue = value;
                bestNorm = norm;
            }
        }
        if (best == null) {
            throw new IllegalStateException("the guided direction search found no feasible vertex; is the Gram "
                    + "matrix positive semi-definite?");
        }
        return best;
    }

    /**
     * The products {@code d . g_j} of the direction with each gradient, from the Gram matrix.
     * @param gram The Gram matrix.
     * @param alpha The weights of the direction.
     * @return {@code (G alpha)_j} for each objective.
     */
    public static double[] directionalProducts(double[][] gram, double[] alpha) {
        int m = checkGram(gram);
        double[] out = new double[m];
        for (int j = 0; j < m; j++) {
            out[j] = dot(gram[j], alpha);
        }
        return out;
    }

    private static int checkGram(double[][] gram) {
        int m = gram.length;
        if (m < 1 || m > MAX_OBJECTIVES) {
            throw new IllegalArgumentException("a direction search takes 1 to " + MAX_OBJECTIVES
                    + " objectives, found " + m);
        }
        for (int i = 0; i < m; i++) {
            if (gram[i].length != m) {
                throw new IllegalArgumentException("the Gram matrix must be square, but row " + i + " has "
                        + gram[i].length + " values for " + m + " rows");
            }
            for (int j = 0; j < m; j++) {
                if (!Double.isFinite(gram[i][j])) {
                    throw new IllegalArgumentException("Gram matrix entry (" + i + ", " + j + ") is " + gram[i][j]);
                }
                if (Math.abs(gram[i][j] - gram[j][i]) > 1e-9 * Math.max(1, Math.abs(gram[i][j]))) {
                    throw new IllegalArgumentException("the Gram matrix is not symmetric at (" + i + ", " + j + ")");
                }
            }
            if (gram[i][i] < 0) {
                throw new IllegalArgumentException("Gram matrix diagonal entry " + i + " is negative: "
                        + gram[i][i]);
            }
        }
        return m;
    }

    /** The Gram matrix divided by its largest absolute entry (unchanged when it is zero). */
    private static double[][] scaled(double[][] gram) {
        double max = 0;
        for (double[] row : gram) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        double[][] out = new double[gram.length][];
        for (int i = 0; i < gram.length; i++) {
            out[i] = gram[i].clone();
            if (max > 0) {
                for (int j = 0; j < out[i].length; j++) {
                    out[i][j] /= max;
                }
            }
        }
        return out;
    }

    private static boolean satisfies(double[][] rows, double[] alpha) {
        for (double[] row : rows) {
            if (dot(row, alpha) < -TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    private static int[] support(int mask, int m) {
        int[] out = new int[Integer.bitCount(mask)];
        int k = 0;
        for (int i = 0; i < m; i++) {
            if ((mask & (1 << i)) != 0) {
                out[k++] = i;
            }
        }
        return out;
    }

    /** Every {@code k}-subset of {@code 0..n-1}, in lexicographic order. */
    private static List<int[]> combinations(int n, int k) {
        List<int[]> out = new ArrayList<>();
        int[] current = new int[k];
        for (int i = 0; i < k; i++) {
            current[i] = i;
        }
        while (true) {
            out.add(current.clone());
            int i = k - 1;
            while (i >= 0 && current[i] == n - k + i) {
                i--;
            }
            if (i < 0) {
                return out;
            }
            current[i]++;
            for (int j = i + 1; j < k; j++) {
                current[j] = current[j - 1] + 1;
            }
        }
    }

    /**
     * Solves a square linear system given as an augmented matrix by Gaussian elimination with partial pivoting.
     * @return The solution, or null when the system is singular.
     */
    private static double[] solve(double[][] augmented) {
        int n = augmented.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = augmented[i].clone();
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(a[pivot][col]) < TOLERANCE) {
                return null;
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double factor = a[r][col] / a[col][col];
                    for (int c = col; c <= n; c++) {
                        a[r][c] -= factor * a[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = a[i][n] / a[i][i];
        }
        return x;
    }

    private static void normalise(double[] alpha) {
        double sum = 0;
        for (double v : alpha) {
            sum += v;
        }
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] /= sum;
        }
    }

    private static double quadratic(double[][] g, double[] alpha) {
        double out = 0;
        for (int i = 0; i < alpha.length; i++) {
            out += alpha[i] * dot(g[i], alpha);
        }
        return out;
    }

    private static double dot(double[] x, double[] y) {
        double out = 0;
        for (int i = 0; i < x.length; i++) {
            out += x[i] * y[i];
        }
        return out;
    }
}
