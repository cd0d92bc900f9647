package org.tribuoadapt.tta.method.cafa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Class-conditional Gaussians of features with one shared covariance, fitted on labelled source samples, and the
 * squared Mahalanobis distances of features to each class (Jung et al. 2023, section 3; the same estimator as
 * Lee et al. 2018's Mahalanobis detector): {@code mu_c = mean of the features of class c},
 * {@code Sigma = (1/N) sum_i (f_i - mu_{y_i})(f_i - mu_{y_i})^T} and
 * {@code D_c(f) = (f - mu_c)^T Sigma^+ (f - mu_c)}.
 * <p>
 * {@code Sigma^+} is the inverse of the covariance over the features that vary on the source samples; a feature
 * that never varies there (a unit that is always zero, as ReLU units can be) carries no class information and gets
 * no weight, which is what the Moore-Penrose pseudo-inverse gives such a feature. Immutable.
 */
public final class ClassGaussians {

    /** Relative size under which a pivot of the covariance counts as zero (the covariance is then singular). */
    private static final double SINGULAR = 1e-12;

    private final int classes;
    private final int width;
    private final double[] means;
    private final double[] covariance;
    private final double[] precision;

    private ClassGaussians(int classes, int width, double[] means, double[] covariance, double[] precision) {
        this.classes = classes;
        this.width = width;
        this.means = means;
        this.covariance = covariance;
        this.precision = precision;
    }

    /**
     * Fits the class means and the shared covariance.
     * @param features {@code n * width} feature values, row by row.
     * @param labels The class of each row, in {@code [0, classes)}.
     * @param width The number of features per row.
     * @param classes The number of classes.
     * @return The Gaussians.
     * @throws IllegalArgumentException if the sizes do not fit, a value is not finite, a class has no sample, or
     *     there are too few samples for an invertible covariance.
     */
    public static ClassGaussians fit(float[] features, int[] labels, int width, int classes) {
        int n = labels.length;
        if (width < 1 || classes < 1 || (long) n * width != features.length) {
            throw new IllegalArgumentException(n + " labels of " + width + " features need " + (long) n * width
                    + " values, found " + features.length);
        }
        double[] means = new double[classes * width];
        int[] counts = new int[classes];
        for (int i = 0; i < n; i++) {
            int c = labels[i];
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("label " + c + " of sample " + i + " is not in [0, " + classes + ")");
            }
            counts[c]++;
            for (int d = 0; d < width; d++) {
                float v = features[i * width + d];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("feature " + d + " of source sample " + i + " is " + v);
                }
                means[c * width + d] += v;
            }
        }
        for (int c = 0; c < classes; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException("class " + c + " has no source sample; CAFA needs the source "
                        + "distribution of every class");
            }
            for (int d = 0; d < width; d++) {
                means[c * width + d] /= counts[c];
            }
        }
        double[] covariance = new double[width * width];
        double[] centred = new double[width];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < width; d++) {
                centred[d] = features[i * width + d] - means[labels[i] * width + d];
            }
            for (int a = 0; a < width; a++) {
                for (int b = a; b < width; b++) {
                    covariance[a * width + b] += centred[a] * centred[b];
                }
            }
        }
        for (int a = 0; a < width; a++) {
            for (int b = a; b < width; b++) {
                covariance[a * width + b] /= n;
                covariance[b * width + a] = covariance[a * width + b];
            }
        }
        return new ClassGaussians(classes, width, means, covariance, precision(covariance, width, n, classes));
    }

    /** The inverse of the covariance over the varying features, zero elsewhere. */
    private static double[] precision(double[] covariance, int width, int samples, int classes) {
        int[] varying = IntStream.range(0, width).filter(d -> covariance[d * width + d] > 0).toArray();
        int k = varying.length;
        if (k == 0) {
            throw new IllegalArgumentException("no feature varies within the classes of the " + samples
                    + " source samples; CAFA cannot measure Mahalanobis distances");
        }
        if (samples - classes < k) {
            throw new IllegalArgumentException("the shared covariance of " + k + " varying features is singular with "
                    + samples + " source samples of " + classes + " classes; CAFA needs at least " + (k + classes));
        }
        double[] inverse = invert(covariance, width, varying);
        double[] out = new double[width * width];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                out[varying[a] * width + varying[b]] = inverse[a * k + b];
            }
        }
        return out;
    }

    /** Gauss-Jordan inversion, with partial pivoting, of the sub-matrix on {@code rows x rows}. */
    private static double[] invert(double[] matrix, int width, int[] rows) {
        int k = rows.length;
        double[] a = new double[k * k];
        double[] inv = new double[k * k];
        double scale = 0;
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                a[r * k + c] = matrix[rows[r] * width + rows[c]];
            }
            inv[r * k + r] = 1;
            scale = Math.max(scale, a[r * k + r]);
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r * k + col]) > Math.abs(a[pivot * k + col])) {
                    pivot = r;
                }
            }
            if (Math.abs(a[pivot * k + col]) <= SINGULAR * scale) {
                throw new IllegalArgumentException("the shared covariance of the source features is singular "
                        + "(features " + rows[col] + " and others are linearly dependent on the source samples)");
            }
            swapRows(a, k, col, pivot);
            swapRows(inv, k, col, pivot);
            double p = a[col * k + col];
            for (int c = 0; c < k; c++) {
                a[col * k + c] /= p;
                inv[col * k + c] /= p;
            }
            for (int r = 0; r < k; r++) {
                double f = a[r * k + col];
                if (r != col && f != 0) {
                    for (int c = 0; c < k; c++) {
                        a[r * k + c] -= f * a[col * k + c];
                        inv[r * k + c] -= f * inv[col * k + c];
                    }
                }
            }
        }
        return inv;
    }

    private static void swapRows(double[] m, int k, int r1, int r2) {
        if (r1 != r2) {
            for (int c = 0; c < k; c++) {
                double t = m[r1 * k + c];
                m[r1 * k + c] = m[r2 * k + c];
                m[r2 * k + c] = t;
            }
        }
    }

    /**
     * The number of classes.
     * @return C.
     */
    public int numClasses() {
        return classes;
    }

    /**
     * The number of features.
     * @return D.
     */
    public int width() {
        return width;
    }

    /**
     * The mean of one class.
     * @param c The class id.
     * @return A copy of {@code mu_c}.
     */
    public double[] mean(int c) {
        return Arrays.copyOfRange(means, c * width, (c + 1) * width);
    }

    /**
     * The shared covariance.
     * @return A copy, row-major {@code D x D}.
     */
    public double[] covariance() {
        return covariance.clone();
    }

    /**
     * The precision (the inverse of the covariance over the varying features).
     * @return A copy, row-major {@code D x D}.
     */
    public double[] precision() {
        return precision.clone();
    }

    /**
     * The squared Mahalanobis distance of every row to every class, on the autograd tape when the features are.
     * @param manager The memory of the constants.
     * @param features Features {@code [N, D]}.
     * @return Distances {@code [N, C]}.
     * @throws IllegalArgumentException if the features are not {@code D} wide.
     */
    public NDArray distances(NDManager manager, NDArray features) {
        Shape shape = features.getShape();
        if (shape.dimension() != 2 || shape.get(1) != width) {
            throw new IllegalArgumentException("the source statistics are of " + width + " features, but the features "
                    + "have shape " + shape);
        }
        NDArray mu = manager.create(toFloats(means), new Shape(classes, width));
        NDArray inverse = manager.create(toFloats(precision), new Shape(width, width));
        NDArray centred = features.expandDims(1).sub(mu.expandDims(0));
        return centred.matMul(inverse).mul(centred).sum(new int[] {2});
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
