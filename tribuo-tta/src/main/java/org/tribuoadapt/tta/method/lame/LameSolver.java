package org.tribuoadapt.tta.method.lame;

import org.tribuoadapt.tta.method.RowSoftmax;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The Laplacian-regularised maximum-likelihood assignment of LAME (Boudiaf et al. 2022, "Parameter-free Online
 * Test-time Adaptation", CVPR): it minimises
 * {@code L(Z) = sum_i KL(z_i || p_i) - 1/2 sum_ij w_ij z_i . z_j}
 * over rows {@code z_i} of the simplex by the bound (concave-convex) iteration
 * {@code z_i <- softmax(log p_i + sum_j w_ij z_j)}, starting from {@code z_i = p_i}, for at most a given number of
 * iterations, stopping when L changes by at most 1e-8 relative. For a symmetric positive semi-definite W (the RBF
 * and linear affinities) every iteration minimises a tight upper bound of L, so L never increases. As in the reference, the
 * probabilities are offset by 1e-10 before the logarithm.
 */
final class LameSolver {

    /** The offset added to probabilities before taking logarithms. */
    static final double EPS = 1e-10;

    /**
     * The assignment and the objective before the first and after every iteration.
     * @param assignment {@code n * classes} values, rows on the simplex.
     * @param objective L at the start and after each iteration.
     */
    record Result(double[] assignment, double[] objective) {}

    private LameSolver() {}

    /**
     * Solves for one batch.
     * @param probabilities {@code n * classes} model probabilities.
     * @param classes The number of classes.
     * @param features {@code n * width} features.
     * @param width The feature width.
     * @param affinity The affinity.
     * @param knn The number of neighbours (kNN) or the neighbour rank that sets sigma (RBF).
     * @param maxIterations The largest number of iterations.
     * @return The assignment and the objective trace.
     */
    static Result solve(float[] probabilities, int classes, float[] features, int width, LameAffinity affinity,
                        int knn, int maxIterations) {
        int n = probabilities.length / classes;
        double[][] w = affinity(normalise(features, n, width), n, width, affinity, knn);
        double[] logP = new double[probabilities.length];
        for (int i = 0; i < logP.length; i++) {
            logP[i] = Math.log(probabilities[i] + EPS);
        }
        double[] z = RowSoftmax.apply(logP, n, classes);
        double[] trace = new double[maxIterations + 1];
        trace[0] = objective(z, logP, w, n, classes);
        int done = 0;
        for (int it = 1; it <= maxIterations; it++) {
            double[] exponent = logP.clone();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (w[i][j] != 0) {
                        for (int c = 0; c < classes; c++) {
                            exponent[i * classes + c] += w[i][j] * z[j * classes + c];
                        }
                    }
                }
            }
            z = RowSoftmax.apply(exponent, n, classes);
            trace[it] = objective(z, logP, w, n, classes);
            done = it;
            if (it > 2 && Math.abs(trace[it] - trace[it - 1]) <= 1e-8 * Math.abs(trace[it - 1])) {
                break;
            }
        }
        return new Result(z, Arrays.copyOf(trace, done + 1));
    }

    /**
     * The LAME objective {@code sum_i sum_c z_ic (log z_ic - log p_ic) - 1/2 sum_ij w_ij z_i . z_j}.
     * @param z The assignment.
     * @param logP The log probabilities.
     * @param w The affinity.
     * @param n The number of rows.
     * @param classes The number of classes.
     * @return L.
     */
    static double objective(double[] z, double[] logP, double[][] w, int n, int classes) {
        double kl = 0;
        for (int k = 0; k < z.length; k++) {
            if (z[k] > 0) {
                kl += z[k] * (Math.log(z[k]) - logP[k]);
            }
        }
        double laplacian = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (w[i][j] != 0) {
                    double dot = 0;
                    for (int c = 0; c < classes; c++) {
                        dot += z[i * classes + c] * z[j * classes + c];
                    }
                    laplacian += w[i][j] * dot;
                }
            }
        }
        return kl - 0.5 * laplacian;
    }

    private static double[] normalise(float[] features, int n, int width) {
        double[] out = new double[n * width];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int d = 0; d < width; d++) {
                norm += (double) features[i * width + d] * features[i * width + d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < width; d++) {
                out[i * width + d] = features[i * width + d] / norm;
            }
        }
        return out;
    }

    /**
     * The affinity matrix of normalised features.
     * @param f The features, {@code n * width}.
     * @param n The number of rows.
     * @param width The width.
     * @param affinity The kind.
     * @param knn The neighbour count.
     * @return W, {@code n x n}.
     */
    static double[][] affinity(double[] f, int n, int width, LameAffinity affinity, int knn) {
        if (affinity == LameAffinity.LINEAR) {
            double[][] w = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    for (int d = 0; d < width; d++) {
                        w[i][j] += f[i * width + d] * f[j * width + d];
                    }
                }
            }
            return w;
        }
        double[][] dist = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int d = 0; d < width; d++) {
                    double diff = f[i * width + d] - f[j * width + d];
                    s += diff * diff;
                }
                dist[i][j] = Math.sqrt(s);
                dist[j][i] = dist[i][j];
            }
        }
        double[][] w = new double[n][n];
        if (affinity == LameAffinity.KNN) {
            for (int i = 0; i < n; i++) {
                final int row = i;
                Integer[] others = new Integer[n - 1];
                for (int j = 0, k = 0; j < n; j++) {
                    if (j != i) {
                        others[k++] = j;
                    }
                }
                Arrays.sort(others, Comparator.comparingDouble((Integer j) -> dist[row][j]).thenComparingInt(j -> j));
                for (int k = 0; k < Math.min(knn, others.length); k++) {
                    w[i][others[k]] = 1;
                }
            }
            return w;
        }
        int rank = Math.min(knn, n);
        double sigma = 0;
        for (int i = 0; i < n; i++) {
            double[] sorted = dist[i].clone();
            Arrays.sort(sorted);
            sigma += sorted[rank - 1];
        }
        sigma /= n;
        if (sigma == 0) {
            // all features coincide (or a single example): the kernel is undefined, so no pairwise term
            return w;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i][j] = Math.exp(-dist[i][j] * dist[i][j] / (2 * sigma * sigma));
            }
        }
        return w;
    }
}
