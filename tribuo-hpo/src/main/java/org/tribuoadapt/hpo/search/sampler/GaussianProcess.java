package org.tribuoadapt.hpo.search.sampler;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Gaussian-process regression with a Matérn-5/2 kernel with one length scale per dimension (automatic relevance
 * determination) and Gaussian observation noise (Rasmussen and Williams, "Gaussian Processes for Machine Learning",
 * MIT Press 2006: the kernel is eq. 4.17, the posterior algorithm 2.1, the log marginal likelihood eq. 2.30):
 * {@code k(a, b) = s (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)} with {@code r^2 = sum_d ((a_d - b_d) / l_d)^2},
 * signal variance {@code s} and noise variance {@code n} added to the diagonal of the training covariance.
 * <p>
 * {@link #fit} chooses the hyper-parameters maximising the log marginal likelihood by Nelder–Mead in their logarithms,
 * inside fixed bounds, from a default start and seeded random starts.
 */
final class GaussianProcess {

    private static final double SQRT5 = Math.sqrt(5);
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** Bounds of the log length scales (inputs lie in [0, 1]). */
    static final double MIN_LOG_LENGTH = Math.log(1e-2);
    static final double MAX_LOG_LENGTH = Math.log(1e2);
    /** Bounds of the log signal variance (targets are standardised). */
    static final double MIN_LOG_SIGNAL = Math.log(1e-2);
    static final double MAX_LOG_SIGNAL = Math.log(1e2);
    /** Bounds of the log noise variance. */
    static final double MIN_LOG_NOISE = Math.log(1e-6);
    static final double MAX_LOG_NOISE = Math.log(1);

    /**
     * The kernel's hyper-parameters.
     * @param lengthScales One length scale per input dimension.
     * @param signalVariance The kernel's variance {@code s}.
     * @param noiseVariance The observation noise variance {@code n}.
     */
    record Hyperparameters(double[] lengthScales, double signalVariance, double noiseVariance) {
        Hyperparameters {
            lengthScales = lengthScales.clone();
        }

        private static Hyperparameters ofLogs(double[] theta) {
            int d = theta.length - 2;
            double[] lengths = new double[d];
            for (int i = 0; i < d; i++) {
                lengths[i] = Math.exp(clamp(theta[i], MIN_LOG_LENGTH, MAX_LOG_LENGTH));
            }
            return new Hyperparameters(lengths, Math.exp(clamp(theta[d], MIN_LOG_SIGNAL, MAX_LOG_SIGNAL)),
                    Math.exp(clamp(theta[d + 1], MIN_LOG_NOISE, MAX_LOG_NOISE)));
        }
    }

    private final double[][] x;
    private final Hyperparameters hyperparameters;
    private final double[][] cholesky;
    private final double[] alpha;
    private final double logMarginalLikelihood;

    /**
     * Conditions the process on observations.
     * @param x The inputs, one row per observation, all of the same width.
     * @param y The targets.
     * @param hyperparameters The kernel's hyper-parameters, one length scale per input column.
     */
    GaussianProcess(double[][] x, double[] y, Hyperparameters hyperparameters) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("a Gaussian process needs as many targets as inputs, and at least one; found "
                    + x.length + " inputs and " + y.length + " targets");
        }
        for (double[] row : x) {
            if (row.length != hyperparameters.lengthScales().length) {
                throw new IllegalArgumentException("an input has " + row.length + " dimensions but the kernel has "
                        + hyperparameters.lengthScales().length + " length scales");
            }
        }
        for (double v : y) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("a Gaussian process target is not finite: " + Arrays.toString(y));
            }
        }
        this.x = x;
        this.hyperparameters = hyperparameters;
        int n = x.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                k[i][j] = kernel(x[i], x[j]);
            }
            k[i][i] += hyperparameters.noiseVariance();
        }
        this.cholesky = choleskyInPlace(k);
        this.alpha = backSolve(cholesky, forwardSolve(cholesky, y));
        double fit = 0;
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            fit += y[i] * alpha[i];
            logDet += Math.log(cholesky[i][i]);
        }
        this.logMarginalLikelihood = -0.5 * fit - logDet - 0.5 * n * LOG_2PI;
    }

    /**
     * The Matérn-5/2 correlation at a scaled distance.
     * @param r The distance divided by the length scale.
     * @return {@code (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)}.
     */
    static double matern52(double r) {
        double s = SQRT5 * r;
        return (1 + s + s * s / 3) * Math.exp(-s);
    }

    /**
     * The kernel between two inputs.
     * @param a An input.
     * @param b An input.
     * @return {@code k(a, b)}.
     */
    double kernel(double[] a, double[] b) {
        double r2 = 0;
        double[] lengths = hyperparameters.lengthScales();
        for (int d = 0; d < a.length; d++) {
            double t = (a[d] - b[d]) / lengths[d];
            r2 += t * t;
        }
        return hyperparameters.signalVariance() * matern52(Math.sqrt(r2));
    }

    /**
     * The log marginal likelihood of the targets.
     * @return {@code -y^T K^-1 y / 2 - log|K| / 2 - n log(2 pi) / 2}.
     */
    double logMarginalLikelihood() {
        return logMarginalLikelihood;
    }

    /**
     * The hyper-parameters.
     * @return The kernel's hyper-parameters.
     */
    Hyperparameters hyperparameters() {
        return hyperparameters;
    }

    /**
     * The posterior of the latent function (without the observation noise) at a point.
     * @param point The input.
     * @return {@code {mean, variance}}.
     */
    double[] posterior(double[] point) {
        int n = x.length;
        double[] kStar = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            kStar[i] = kernel(x[i], point);
            mean += kStar[i] * alpha[i];
        }
        double[] v = forwardSolve(cholesky, kStar);
        double variance = hyperparameters.signalVariance();
        for (double vi : v) {
            variance -= vi * vi;
        }
        return new double[] {mean, Math.max(variance, 0)};
    }

    /**
     * Fits the hyper-parameters by maximising the log marginal likelihood with Nelder–Mead over their logarithms,
     * first from length scales 0.5, signal variance 1 and noise 0.01, then from {@code restarts - 1} points drawn
     * uniformly within the bounds; the best optimum wins.
     * @param x The inputs in [0, 1].
     * @param y The (standardised) targets.
     * @param restarts The number of starts, at least one.
     * @param maxEvaluations The likelihood evaluations allowed per start.
     * @param rng The generator of the random starts.
     * @return The process conditioned on the data with the best hyper-parameters.
     */
    static GaussianProcess fit(double[][] x, double[] y, int restarts, int maxEvaluations, SplittableRandom rng) {
        int dims = x[0].length + 2;
        GaussianProcess best = null;
        for (int r = 0; r < restarts; r++) {
            double[] start = new double[dims];
            for (int d = 0; d < dims - 2; d++) {
                start[d] = r == 0 ? Math.log(0.5) : rng.nextDouble(MIN_LOG_LENGTH, MAX_LOG_LENGTH);
            }
            start[dims - 2] = r == 0 ? 0 : rng.nextDouble(MIN_LOG_SIGNAL, MAX_LOG_SIGNAL);
            start[dims - 1] = r == 0 ? Math.log(1e-2) : rng.nextDouble(MIN_LOG_NOISE, MAX_LOG_NOISE);
            double[] optimum = NelderMead.minimise(
                    theta -> -new GaussianProcess(x, y, Hyperparameters.ofLogs(theta)).logMarginalLikelihood(),
                    start, 0.5, maxEvaluations);
            GaussianProcess candidate = new GaussianProcess(x, y, Hyperparameters.ofLogs(optimum));
            if (best == null || candidate.logMarginalLikelihood() > best.logMarginalLikelihood()) {
                best = candidate;
            }
        }
        return best;
    }

    private static double clamp(double v, double low, double high) {
        return Math.max(low, Math.min(high, v));
    }

    // lower-triangular L with L L^T = a, overwriting a's lower triangle
    private static double[][] choleskyInPlace(double[][] a) {
        int n = a.length;
        for (int j = 0; j < n; j++) {
            double diagonal = a[j][j];
            for (int k = 0; k < j; k++) {
                diagonal -= a[j][k] * a[j][k];
            }
            if (!(diagonal > 0)) {
                throw new IllegalStateException("the Gaussian-process covariance is not positive definite (pivot "
                        + diagonal + " at row " + j + ")");
            }
            a[j][j] = Math.sqrt(diagonal);
            for (int i = j + 1; i < n; i++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= a[i][k] * a[j][k];
                }
                a[i][j] = s / a[j][j];
            }
        }
        return a;
    }

    // solves L z = b
    private static double[] forwardSolve(double[][] l, double[] b) {
        double[] z = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * z[k];
            }
            z[i] = s / l[i][i];
        }
        return z;
    }

    // solves L^T z = b
    private static double[] backSolve(double[][] l, double[] b) {
        double[] z = new double[b.length];
        for (int i = b.length - 1; i >= 0; i--) {
            double s = b[i];
            for (int k = i + 1; k < b.length; k++) {
                s -= l[k][i] * z[k];
            }
            z[i] = s / l[i][i];
        }
        return z;
    }
}
