package org.tribuoadapt.tta.da.paretoda;

/**
 * ParetoDA's network on frozen source features and the gradients of its three objectives (Lv et al. 2021,
 * "Pareto Domain Adaptation", NeurIPS): a shared bottleneck {@code z = relu(W1 x + b1)} and a linear classifier
 * {@code logits = W2 z + b2}. The objectives are
 * <ol>
 *     <li>the source cross-entropy;</li>
 *     <li>the domain alignment loss, here Deep CORAL's (Sun and Saenko 2016)
 *     {@code |C_s - C_t|_F^2 / (4 h^2)} between the bottleneck covariances of the source and target batch;</li>
 *     <li>the target-classification-mimicking loss (TCM) on the target batch, the negative mutual information of
 *     input and prediction: the mean prediction entropy minus the entropy of the mean prediction.</li>
 * </ol>
 * The gradients are computed in closed form (back-propagation written out) in double precision. The weights are
 * read, never changed: the trainer owns and updates them.
 */
final class DaObjectives {

    private final double[] w1;
    private final double[] b1;
    private final double[] w2;
    private final double[] b2;
    private final int width;
    private final int hidden;
    private final int classes;

    /**
     * The activations of one batch.
     * @param x The inputs, {@code n * width}.
     * @param n The number of examples.
     * @param preActivation {@code W1 x + b1}, {@code n * hidden}.
     * @param bottleneck Its ReLU, {@code n * hidden}.
     * @param logits {@code n * classes}.
     * @param logProbabilities The log-softmax of the logits.
     */
    record Pass(float[] x, int n, double[] preActivation, double[] bottleneck, double[] logits,
                double[] logProbabilities) {}

    /**
     * One objective's value and gradient with respect to every weight.
     * @param loss The objective's value.
     * @param w1 Gradient of the bottleneck weights.
     * @param b1 Gradient of the bottleneck biases.
     * @param w2 Gradient of the classifier weights.
     * @param b2 Gradient of the classifier biases.
     */
    record Gradient(double loss, double[] w1, double[] b1, double[] w2, double[] b2) {

        /**
         * The inner product of the shared (bottleneck) parts of two gradients.
         * @param other The other gradient.
         * @return {@code <(w1, b1), (other.w1, other.b1)>}.
         */
        double sharedDot(Gradient other) {
            return dot(w1, other.w1) + dot(b1, other.b1);
        }

        private Gradient plus(Gradient other, double loss) {
            return new Gradient(loss, sum(w1, other.w1), sum(b1, other.b1), sum(w2, other.w2), sum(b2, other.b2));
        }
    }

    DaObjectives(double[] w1, double[] b1, double[] w2, double[] b2, int width, int hidden, int classes) {
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
        this.width = width;
        this.hidden = hidden;
        this.classes = classes;
    }

    /**
     * Runs the network on a batch.
     * @param x {@code n * width} inputs.
     * @param n The number of examples.
     * @return The activations.
     */
    Pass forward(float[] x, int n) {
        double[] pre = new double[n * hidden];
        double[] z = new double[n * hidden];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < hidden; k++) {
                double v = b1[k];
                for (int d = 0; d < width; d++) {
                    v += w1[k * width + d] * x[i * width + d];
                }
                pre[i * hidden + k] = v;
                z[i * hidden + k] = Math.max(0, v);
            }
        }
        double[] logits = new double[n * classes];
        double[] logP = new double[n * classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double v = b2[c];
                for (int k = 0; k < hidden; k++) {
                    v += w2[c * hidden + k] * z[i * hidden + k];
                }
                logits[i * classes + c] = v;
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[i * classes + c] - max);
            }
            double logSum = max + Math.log(sum);
            for (int c = 0; c < classes; c++) {
                logP[i * classes + c] = logits[i * classes + c] - logSum;
            }
        }
        return new Pass(x, n, pre, z, logits, logP);
    }

    /**
     * The mean cross-entropy of a labelled batch and its gradient.
     * @param pass The batch's activations.
     * @param labels The label ids.
     * @return The objective.
     */
    Gradient crossEntropy(Pass pass, int[] labels) {
        int n = pass.n();
        double loss = 0;
        double[] dLogits = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                dLogits[i * classes + c] = Math.exp(pass.logProbabilities()[i * classes + c]) / n;
            }
            dLogits[i * classes + labels[i]] -= 1.0 / n;
            loss -= pass.logProbabilities()[i * classes + labels[i]] / n;
        }
        return backward(pass, dLogits, new double[n * hidden], loss);
    }

    /**
     * Deep CORAL's alignment loss between a source and a target batch, {@code |C_s - C_t|_F^2 / (4 h^2)} with
     * {@code C} the unbiased covariance of the bottleneck, and its gradient, whose bottleneck part is
     * {@code (z - mean) (C_s - C_t) / (h^2 (n - 1))} on the source and its negative on the target.
     * @param source The source batch (at least 2 examples).
     * @param target The target batch (at least 2 examples).
     * @return The objective.
     */
    Gradient coral(Pass source, Pass target) {
        double[] centredSource = centred(source);
        double[] centredTarget = centred(target);
        double[] difference = covariance(centredSource, source.n());
        double[] targetCovariance = covariance(centredTarget, target.n());
        double loss = 0;
        for (int j = 0; j < difference.length; j++) {
            difference[j] -= targetCovariance[j];
            loss += difference[j] * difference[j];
        }
        double scale = (double) hidden * hidden;
        loss /= 4 * scale;
        Gradient fromSource = backward(source, new double[source.n() * classes],
                times(centredSource, source.n(), difference, 1 / (scale * (source.n() - 1))), 0);
        Gradient fromTarget = backward(target, new double[target.n() * classes],
                times(centredTarget, target.n(), difference, -1 / (scale * (target.n() - 1))), 0);
        return fromSource.plus(fromTarget, loss);
    }

    /**
     * The target-classification-mimicking loss of a target batch, the mean prediction entropy minus the entropy
     * of the mean prediction, and its gradient; its derivative with respect to {@code p_ic} is
     * {@code (log pbar_c - log p_ic) / n}.
     * @param pass The batch's activations.
     * @return The objective.
     */
    Gradient tcm(Pass pass) {
        int n = pass.n();
        double[] logP = pass.logProbabilities();
        double[] mean = new double[classes];
        double meanEntropy = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logP[i * classes + c]);
                mean[c] += p / n;
                meanEntropy -= p * logP[i * classes + c] / n;
            }
        }
        double entropyOfMean = 0;
        double[] logMean = new double[classes];
        for (int c = 0; c < classes; c++) {
            logMean[c] = Math.log(mean[c]);
            entropyOfMean -= mean[c] * logMean[c];
        }
        double[] dLogits = new double[n * classes];
        for (int i = 0; i < n; i++) {
            double expected = 0;
            double[] dP = new double[classes];
            for (int c = 0; c < classes; c++) {
                dP[c] = (logMean[c] - logP[i * classes + c]) / n;
                expected += Math.exp(logP[i * classes + c]) * dP[c];
            }
            for (int c = 0; c < classes; c++) {
                dLogits[i * classes + c] = Math.exp(logP[i * classes + c]) * (dP[c] - expected);
            }
        }
        return backward(pass, dLogits, new double[n * hidden], meanEntropy - entropyOfMean);
    }

    /** Back-propagates a gradient on the logits plus one on the bottleneck to every weight. */
    private Gradient backward(Pass pass, double[] dLogits, double[] dBottleneck, double loss) {
        int n = pass.n();
        double[] gw2 = new double[classes * hidden];
        double[] gb2 = new double[classes];
        double[] dz = dBottleneck.clone();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double g = dLogits[i * classes + c];
                if (g == 0) {
                    continue;
                }
                gb2[c] += g;
                for (int k = 0; k < hidden; k++) {
                    gw2[c * hidden + k] += g * pass.bottleneck()[i * hidden + k];
                    dz[i * hidden + k] += g * w2[c * hidden + k];
                }
            }
        }
        double[] gw1 = new double[hidden * width];
        double[] gb1 = new double[hidden];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < hidden; k++) {
                double g = pass.preActivation()[i * hidden + k] > 0 ? dz[i * hidden + k] : 0;
                if (g == 0) {
                    continue;
                }
                gb1[k] += g;
                for (int d = 0; d < width; d++) {
                    gw1[k * width + d] += g * pass.x()[i * width + d];
                }
            }
        }
        return new Gradient(loss, gw1, gb1, gw2, gb2);
    }

    private double[] centred(Pass pass) {
        int n = pass.n();
        double[] out = pass.bottleneck().clone();
        for (int k = 0; k < hidden; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += out[i * hidden + k] / n;
            }
            for (int i = 0; i < n; i++) {
                out[i * hidden + k] -= mean;
            }
        }
        return out;
    }

    /** The unbiased covariance {@code c^T c / (n - 1)} of centred rows. */
    private double[] covariance(double[] centred, int n) {
        double[] out = new double[hidden * hidden];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < hidden; a++) {
                double va = centred[i * hidden + a];
                if (va == 0) {
                    continue;
                }
                for (int b = 0; b < hidden; b++) {
                    out[a * hidden + b] += va * centred[i * hidden + b];
                }
            }
        }
        for (int j = 0; j < out.length; j++) {
            out[j] /= n - 1;
        }
        return out;
    }

    /** {@code factor * rows . matrix} for {@code n} rows of width {@code hidden} and a square matrix. */
    private double[] times(double[] rows, int n, double[] matrix, double factor) {
        double[] out = new double[n * hidden];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < hidden; a++) {
                double v = rows[i * hidden + a];
                if (v == 0) {
                    continue;
                }
                for (int b = 0; b < hidden; b++) {
                    out[i * hidden + b] += factor * v * matrix[a * hidden + b];
                }
            }
        }
        return out;
    }

    private static double[] sum(double[] x, double[] y) {
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += y[i];
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
