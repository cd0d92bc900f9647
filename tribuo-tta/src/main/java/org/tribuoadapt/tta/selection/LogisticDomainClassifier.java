package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * The domain classifier of SKADA's importance-weighted scorers: an L2-regularised logistic regression of the domain
 * (target = 1) on the features, standardised over both domains. It minimises scikit-learn's objective
 * {@code C * sum_i logloss_i + ||w||^2 / 2} (the intercept is not penalised; {@code C = 1} is scikit-learn's
 * default) by full-batch gradient descent from zero with the step {@code 1 / L}, {@code L} the Lipschitz bound
 * {@code C * sum_i (||x_i||^2 + 1) / 4 + 1} of the gradient. It is deterministic, and when both domains hold the same
 * examples the gradient at zero is exactly zero, so every probability stays 1/2 (the domains cannot be told apart).
 */
public final class LogisticDomainClassifier implements DomainClassifier,
        Provenancable<ConfiguredObjectProvenance> {

    @Config(description = "Inverse L2 regularisation strength C, above 0.")
    private double inverseRegularisation = 1.0;

    @Config(description = "Gradient-descent iterations, at least 1.")
    private int iterations = 500;

    /**
     * Creates the classifier with {@code C = 1} and 500 iterations.
     */
    public LogisticDomainClassifier() {}

    /**
     * Creates the classifier.
     * @param inverseRegularisation C, above 0.
     * @param iterations Gradient-descent iterations, at least 1.
     */
    public LogisticDomainClassifier(double inverseRegularisation, int iterations) {
        this.inverseRegularisation = inverseRegularisation;
        this.iterations = iterations;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(inverseRegularisation > 0) || Double.isInfinite(inverseRegularisation)) {
            throw new PropertyException("", "inverseRegularisation",
                    "inverseRegularisation must be finite and above 0, found " + inverseRegularisation);
        }
        if (iterations < 1) {
            throw new PropertyException("", "iterations", "iterations must be at least 1, found " + iterations);
        }
    }

    @Override
    public double[] targetProbabilityOfSource(float[] source, float[] target, int width) {
        int nSource = source.length / width;
        int nTarget = target.length / width;
        if (nSource == 0 || nTarget == 0 || source.length % width != 0 || target.length % width != 0) {
            throw new IllegalArgumentException("the domain classifier needs source and target features of width "
                    + width + ", found " + source.length + " and " + target.length + " values");
        }
        double[] mean = new double[width];
        double[] scale = new double[width];
        standardisation(source, target, width, mean, scale);
        double[][] xs = standardise(source, width, mean, scale);
        double[][] xt = standardise(target, width, mean, scale);
        double lipschitz = 1.0;
        for (double[][] xd : new double[][][] {xs, xt}) {
            for (double[] x : xd) {
                double norm = 1;
                for (double v : x) {
                    norm += v * v;
                }
                lipschitz += inverseRegularisation * norm / 4;
            }
        }
        double step = 1 / lipschitz;
        double[] w = new double[width];
        double[] b = new double[1];
        for (int it = 0; it < iterations; it++) {
            double[] gradSource = new double[width + 1];
            double[] gradTarget = new double[width + 1];
            accumulate(xs, 0.0, w, b[0], gradSource);
            accumulate(xt, 1.0, w, b[0], gradTarget);
            for (int j = 0; j < width; j++) {
                w[j] -= step * (inverseRegularisation * (gradSource[j] + gradTarget[j]) + w[j]);
            }
            b[0] -= step * inverseRegularisation * (gradSource[width] + gradTarget[width]);
        }
        double[] probabilities = new double[nSource];
        for (int i = 0; i < nSource; i++) {
            probabilities[i] = sigmoid(dot(w, xs[i]) + b[0]);
        }
        return probabilities;
    }

    /** Adds {@code (sigmoid(w.x + b) - y) * (x, 1)} over the examples, the log-loss gradient. */
    private static void accumulate(double[][] xs, double y, double[] w, double b, double[] gradient) {
        int width = w.length;
        for (double[] x : xs) {
            double residual = sigmoid(dot(w, x) + b) - y;
            for (int j = 0; j < width; j++) {
                gradient[j] += residual * x[j];
            }
            gradient[width] += residual;
        }
    }

    private static void standardisation(float[] source, float[] target, int width, double[] mean, double[] scale) {
        int n = (source.length + target.length) / width;
        double[] sumSquares = new double[width];
        for (float[] values : new float[][] {source, target}) {
            for (int i = 0; i < values.length; i++) {
                mean[i % width] += values[i];
                sumSquares[i % width] += (double) values[i] * values[i];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] /= n;
            double variance = Math.max(0, sumSquares[j] / n - mean[j] * mean[j]);
            scale[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
        }
    }

    private static double[][] standardise(float[] values, int width, double[] mean, double[] scale) {
        double[][] out = new double[values.length / width][width];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < width; j++) {
                out[i][j] = (values[i * width + j] - mean[j]) * scale[j];
            }
        }
        return out;
    }

    private static double dot(double[] w, double[] x) {
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
            sum += w[j] * x[j];
        }
        return sum;
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "DomainClassifier");
    }

    @Override
    public String toString() {
        return "LogisticDomainClassifier(C=" + inverseRegularisation + ",iterations=" + iterations + ")";
    }
}
