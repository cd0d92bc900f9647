package org.tribuoadapt.tta.method.labelshift;

/**
 * Bias-corrected temperature scaling (BCTS; Alexandari, Kundaje and Shrikumar 2020, "Maximum Likelihood with
 * Bias-Corrected Calibration is Hard-To-Beat at Label Shift Adaptation", section 3): calibrated posteriors
 * {@code softmax(z / T + b)} from a model's log-probabilities {@code z}, with the inverse temperature {@code 1 / T}
 * and one bias per class fitted by maximum likelihood on held-out labelled source data. The negative log-likelihood
 * is convex in {@code (1 / T, b)}, so gradient descent with a backtracking line search finds its minimum; the biases
 * are kept centred, since adding a constant to all of them changes nothing.
 */
final class BiasCorrectedTemperatureScaling {

    private static final int MAX_ITERATIONS = 500;
    private static final double GRADIENT_TOLERANCE = 1e-7;
    /** Keeps the log of a zero probability finite. */
    private static final double SMALLEST_PROBABILITY = 1e-30;

    private final double inverseTemperature;
    private final double[] biases;

    private BiasCorrectedTemperatureScaling(double inverseTemperature, double[] biases) {
        this.inverseTemperature = inverseTemperature;
        this.biases = biases;
    }

    /**
     * Fits the calibration.
     * @param probabilities Each example's posteriors from the model, one row per example.
     * @param labels Each example's true class.
     * @return The fitted calibration.
     * @throws IllegalArgumentException if there are no examples.
     */
    static BiasCorrectedTemperatureScaling fit(double[][] probabilities, int[] labels) {
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("bias-corrected temperature scaling needs at least one labelled example");
        }
        double[][] logProbabilities = new double[probabilities.length][];
        for (int k = 0; k < probabilities.length; k++) {
            logProbabilities[k] = log(probabilities[k]);
        }
        int classes = logProbabilities[0].length;
        double[] theta = new double[classes + 1];
        theta[0] = 1.0;
        double value = negativeLogLikelihood(theta, logProbabilities, labels);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] gradient = gradient(theta, logProbabilities, labels);
            double squaredNorm = 0;
            for (double g : gradient) {
                squaredNorm += g * g;
            }
            if (squaredNorm < GRADIENT_TOLERANCE * GRADIENT_TOLERANCE) {
                break;
            }
            double step = 1.0;
            double[] next = step(theta, gradient, step);
            double nextValue = negativeLogLikelihood(next, logProbabilities, labels);
            // Armijo backtracking: halve the step until the decrease is at least half the linear prediction
            while (nextValue > value - 0.5 * step * squaredNorm && step > 1e-12) {
                step /= 2;
                next = step(theta, gradient, step);
                nextValue = negativeLogLikelihood(next, logProbabilities, labels);
            }
            if (nextValue >= value) {
                break;
            }
            theta = next;
            value = nextValue;
        }
        double[] biases = new double[classes];
        System.arraycopy(theta, 1, biases, 0, classes);
        return new BiasCorrectedTemperatureScaling(theta[0], biases);
    }

    /**
     * The identity calibration (temperature 1, no biases).
     * @param classes The number of classes.
     * @return The calibration.
     */
    static BiasCorrectedTemperatureScaling identity(int classes) {
        return new BiasCorrectedTemperatureScaling(1.0, new double[classes]);
    }

    /**
     * The fitted inverse temperature {@code 1 / T}.
     * @return The inverse temperature.
     */
    double inverseTemperature() {
        return inverseTemperature;
    }

    /**
     * The fitted biases, centred.
     * @return A copy of the biases.
     */
    double[] biases() {
        return biases.clone();
    }

    /**
     * Calibrates one example's probabilities.
     * @param probabilities The model's probabilities.
     * @return {@code softmax(log(p) / T + b)}.
     */
    double[] apply(double[] probabilities) {
        return softmax(log(probabilities), inverseTemperature, biases);
    }

    private static double[] log(double[] probabilities) {
        double[] z = new double[probabilities.length];
        for (int c = 0; c < z.length; c++) {
            z[c] = Math.log(Math.max(probabilities[c], SMALLEST_PROBABILITY));
        }
        return z;
    }

    private static double[] step(double[] theta, double[] gradient, double step) {
        double[] next = new double[theta.length];
        double mean = 0;
        for (int i = 0; i < theta.length; i++) {
            next[i] = theta[i] - step * gradient[i];
            if (i > 0) {
                mean += next[i];
            }
        }
        mean /= theta.length - 1;
        for (int i = 1; i < theta.length; i++) {
            next[i] -= mean;
        }
        return next;
    }

    private static double[] softmax(double[] z, double scale, double[] biases) {
        double[] out = new double[z.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < z.length; c++) {
            out[c] = z[c] * scale + biases[c];
            max = Math.max(max, out[c]);
        }
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < z.length; c++) {
            out[c] /= sum;
        }
        return out;
    }

    private static double[] biasesOf(double[] theta) {
        double[] b = new double[theta.length - 1];
        System.arraycopy(theta, 1, b, 0, b.length);
        return b;
    }

    private static double negativeLogLikelihood(double[] theta, double[][] z, int[] labels) {
        double[] b = biasesOf(theta);
        double total = 0;
        for (int k = 0; k < z.length; k++) {
            total -= Math.log(Math.max(softmax(z[k], theta[0], b)[labels[k]], Double.MIN_NORMAL));
        }
        return total / z.length;
    }

    /** d/d(1/T) = mean_k (sum_c q_kc z_kc - z_ky); d/db_c = mean_k (q_kc - [y_k = c]). */
    private static double[] gradient(double[] theta, double[][] z, int[] labels) {
        double[] b = biasesOf(theta);
        double[] g = new double[theta.length];
        for (int k = 0; k < z.length; k++) {
            double[] q = softmax(z[k], theta[0], b);
            for (int c = 0; c < q.length; c++) {
                double indicator = labels[k] == c ? 1 : 0;
                g[0] += (q[c] - indicator) * z[k][c];
                g[c + 1] += q[c] - indicator;
            }
        }
        for (int i = 0; i < g.length; i++) {
            g[i] /= z.length;
        }
        return g;
    }
}
