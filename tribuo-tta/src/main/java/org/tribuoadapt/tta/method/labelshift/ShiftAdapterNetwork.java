package org.tribuoadapt.tta.method.labelshift;

import org.tribuoadapt.tta.scenario.DirichletSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The adapter network of the Label Shift Adapter (Park et al. 2023, "Label Shift Adapter for Test-Time Adaptation
 * under Covariate and Label Shifts", ICCV), which produces the parameters of a small part of the source model from
 * the target label distribution. Here that part is the classifier: from the shift of the label distribution
 * {@code v = log(q + eps) - log(pi_s + eps)}, a bias-free two-layer perceptron {@code o = W2 tanh(W1 v)} gives a
 * per-class scale {@code 1 + a_c} and shift {@code b_c} of the logits, {@code z'_c = (1 + a_c) z_c + b_c}, which is
 * the last linear layer with weights {@code (1 + a_c) w_c} and biases {@code (1 + a_c) beta_c + b_c}. Having no
 * biases and {@code tanh(0) = 0}, the adapter gives exactly the source classifier at the source label distribution.
 * <p>
 * It is trained before deployment on the frozen source model's logits of labelled source samples, with simulated
 * label shifts as in the paper: each step draws class priors from a symmetric Dirichlet(alpha), a batch whose
 * labels follow them (a class by the priors, then one of its examples), and takes an Adam step on the cross-entropy
 * of the modulated logits, whose minimiser is the classifier suited to those priors. {@code W2} starts at zero, so
 * training starts from the source classifier.
 */
final class ShiftAdapterNetwork {

    /** Added to both distributions before their logarithms, so that empty classes give a finite shift. */
    static final double EPSILON = 1e-3;

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double ADAM_EPSILON = 1e-8;

    /** {@code [hidden][classes]}. */
    private final double[][] w1;
    /** {@code [2 classes][hidden]}: rows {@code 0..C-1} give the scales' offsets, rows {@code C..2C-1} the shifts. */
    private final double[][] w2;

    /**
     * A modulation of the classifier's logits, {@code z'_c = scale_c z_c + shift_c}.
     * @param scale The per-class scales.
     * @param shift The per-class shifts.
     */
    record Modulation(double[] scale, double[] shift) {}

    /**
     * Wraps weights.
     * @param w1 The first layer, {@code [hidden][classes]}.
     * @param w2 The second layer, {@code [2 classes][hidden]}.
     */
    ShiftAdapterNetwork(double[][] w1, double[][] w2) {
        this.w1 = w1;
        this.w2 = w2;
    }

    /**
     * The number of classes.
     * @return C.
     */
    int numClasses() {
        return w1[0].length;
    }

    /**
     * The adapter's input: the log-ratio of the target to the source label distribution.
     * @param target The target distribution.
     * @param source The source distribution.
     * @return {@code log(target + eps) - log(source + eps)}.
     * @throws IllegalArgumentException if the lengths differ or a value is not a probability.
     */
    static double[] shiftOf(double[] target, double[] source) {
        if (target.length != source.length) {
            throw new IllegalArgumentException("the target label distribution has " + target.length
                    + " classes but the source one " + source.length);
        }
        double[] v = new double[target.length];
        for (int c = 0; c < v.length; c++) {
            if (!(target[c] >= 0 && target[c] <= 1 && source[c] >= 0 && source[c] <= 1)) {
                throw new IllegalArgumentException("class " + c + ": " + target[c] + " and " + source[c]
                        + " are not both probabilities");
            }
            v[c] = Math.log(target[c] + EPSILON) - Math.log(source[c] + EPSILON);
        }
        return v;
    }

    /**
     * The modulation for a target label distribution.
     * @param target The estimated target distribution.
     * @param source The source distribution.
     * @return The scales and shifts.
     */
    Modulation modulation(double[] target, double[] source) {
        if (target.length != numClasses()) {
            throw new IllegalArgumentException("the adapter has " + numClasses() + " classes but the label "
                    + "distribution " + target.length);
        }
        double[] o = output(hidden(shiftOf(target, source)));
        int classes = numClasses();
        double[] scale = new double[classes];
        double[] shift = new double[classes];
        for (int c = 0; c < classes; c++) {
            scale[c] = 1 + o[c];
            shift[c] = o[classes + c];
        }
        return new Modulation(scale, shift);
    }

    private double[] hidden(double[] v) {
        double[] h = new double[w1.length];
        for (int j = 0; j < h.length; j++) {
            double a = 0;
            for (int c = 0; c < v.length; c++) {
                a += w1[j][c] * v[c];
            }
            h[j] = Math.tanh(a);
        }
        return h;
    }

    private double[] output(double[] h) {
        double[] o = new double[w2.length];
        for (int k = 0; k < o.length; k++) {
            for (int j = 0; j < h.length; j++) {
                o[k] += w2[k][j] * h[j];
            }
        }
        return o;
    }

    /**
     * The mean cross-entropy of the modulated logits of a batch, and its gradients with respect to the weights.
     * @param v The adapter's input.
     * @param logits The source logits, {@code labels.length * classes}.
     * @param labels The labels.
     * @param g1 Receives the gradient of {@code W1} (same shape, overwritten).
     * @param g2 Receives the gradient of {@code W2} (same shape, overwritten).
     * @return The loss.
     */
    double lossAndGradients(double[] v, float[] logits, int[] labels, double[][] g1, double[][] g2) {
        int classes = numClasses();
        int n = labels.length;
        double[] h = hidden(v);
        double[] o = output(h);
        double[] dO = new double[o.length];
        double loss = 0;
        double[] z = new double[classes];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                z[c] = (1 + o[c]) * logits[i * classes + c] + o[classes + c];
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(z[c] - max);
            }
            double logSum = max + Math.log(sum);
            loss += (logSum - z[labels[i]]) / n;
            for (int c = 0; c < classes; c++) {
                double dz = (Math.exp(z[c] - logSum) - (c == labels[i] ? 1 : 0)) / n;
                dO[c] += dz * logits[i * classes + c];
                dO[classes + c] += dz;
            }
        }
        double[] dH = new double[h.length];
        for (int k = 0; k < o.length; k++) {
            for (int j = 0; j < h.length; j++) {
                g2[k][j] = dO[k] * h[j];
                dH[j] += w2[k][j] * dO[k];
            }
        }
        for (int j = 0; j < h.length; j++) {
            double dA = dH[j] * (1 - h[j] * h[j]);
            for (int c = 0; c < classes; c++) {
                g1[j][c] = dA * v[c];
            }
        }
        return loss;
    }

    /**
     * Trains an adapter on the source model's logits of labelled source samples with simulated label shifts.
     * @param logits The frozen source model's logits, {@code labels.length * classes}.
     * @param labels The source labels.
     * @param sourcePriors The source label distribution the adapter's input is relative to.
     * @param hiddenUnits The width of the hidden layer.
     * @param steps The number of Adam steps.
     * @param batchSize The examples per step.
     * @param concentration The Dirichlet concentration of the simulated class priors.
     * @param learningRate Adam's learning rate.
     * @param rng The random stream (initial weights, priors and batches).
     * @return The trained adapter.
     * @throws IllegalArgumentException if a class has no source example.
     */
    static ShiftAdapterNetwork train(float[] logits, int[] labels, double[] sourcePriors, int hiddenUnits, int steps,
                                     int batchSize, double concentration, double learningRate, SplittableRandom rng) {
        int classes = sourcePriors.length;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        for (int c = 0; c < classes; c++) {
            if (byClass.get(c).isEmpty()) {
                throw new IllegalArgumentException("the source samples hold no example of class " + c + ", so the "
                        + "label shift adapter cannot simulate label distributions that include it");
            }
        }
        double[][] w1 = new double[hiddenUnits][classes];
        double scale = 1 / Math.sqrt(classes);
        for (double[] row : w1) {
            for (int c = 0; c < classes; c++) {
                row[c] = rng.nextGaussian() * scale;
            }
        }
        double[][] w2 = new double[2 * classes][hiddenUnits];
        ShiftAdapterNetwork net = new ShiftAdapterNetwork(w1, w2);
        Adam adam1 = new Adam(w1);
        Adam adam2 = new Adam(w2);
        double[][] g1 = new double[hiddenUnits][classes];
        double[][] g2 = new double[2 * classes][hiddenUnits];
        float[] batchLogits = new float[batchSize * classes];
        int[] batchLabels = new int[batchSize];
        for (int step = 1; step <= steps; step++) {
            double[] priors = DirichletSampler.sample(concentration, classes, rng);
            for (int i = 0; i < batchSize; i++) {
                int c = categorical(priors, rng);
                List<Integer> members = byClass.get(c);
                int example = members.get(rng.nextInt(members.size()));
                batchLabels[i] = c;
                System.arraycopy(logits, example * classes, batchLogits, i * classes, classes);
            }
            net.lossAndGradients(shiftOf(priors, sourcePriors), batchLogits, batchLabels, g1, g2);
            adam1.step(g1, learningRate, step);
            adam2.step(g2, learningRate, step);
        }
        return net;
    }

    private static int categorical(double[] p, SplittableRandom rng) {
        double u = rng.nextDouble();
        double cumulative = 0;
        for (int c = 0; c < p.length; c++) {
            cumulative += p[c];
            if (u < cumulative) {
                return c;
            }
        }
        return p.length - 1;
    }

    /**
     * The weights, for inspection.
     * @return Copies of {@code W1} and {@code W2}.
     */
    double[][][] weights() {
        return new double[][][] {copy(w1), copy(w2)};
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }

    /** Adam (Kingma and Ba 2015) on one weight matrix, updated in place. */
    private static final class Adam {
        private final double[][] weights;
        private final double[][] m;
        private final double[][] v;

        Adam(double[][] weights) {
            this.weights = weights;
            this.m = new double[weights.length][weights[0].length];
            this.v = new double[weights.length][weights[0].length];
        }

        void step(double[][] gradient, double learningRate, int t) {
            double correction1 = 1 - Math.pow(BETA1, t);
            double correction2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < weights.length; i++) {
                for (int j = 0; j < weights[i].length; j++) {
                    double g = gradient[i][j];
                    m[i][j] = BETA1 * m[i][j] + (1 - BETA1) * g;
                    v[i][j] = BETA2 * v[i][j] + (1 - BETA2) * g * g;
                    weights[i][j] -= learningRate * (m[i][j] / correction1)
                            / (Math.sqrt(v[i][j] / correction2) + ADAM_EPSILON);
                }
            }
        }
    }
}
