package org.tribuoadapt.tta.method.dsrm;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.tribuoadapt.tta.method.RowSoftmax;

import java.util.List;

/**
 * DSRM's trained domain-specific heads: one softmax-regression classifier per source domain over the same
 * features, with the provenance of the trainer that produced them (its source domains, severity and seed).
 * Immutable.
 */
public final class DomainHeads {

    private final List<String> domains;
    private final double[][] weights;
    private final double[][] biases;
    private final int width;
    private final int classes;
    private final ConfiguredObjectProvenance provenance;

    /**
     * Wraps trained heads.
     * @param domains The domain of each head.
     * @param weights For each head, {@code classes * width} weights, class after class.
     * @param biases For each head, {@code classes} biases.
     * @param width The number of features.
     * @param provenance The provenance of the trainer.
     */
    DomainHeads(List<String> domains, double[][] weights, double[][] biases, int width,
                ConfiguredObjectProvenance provenance) {
        this.domains = List.copyOf(domains);
        this.weights = weights;
        this.biases = biases;
        this.width = width;
        this.classes = biases[0].length;
        this.provenance = provenance;
    }

    /**
     * The source domain of each head, in head order.
     * @return The domain names.
     */
    public List<String> domains() {
        return domains;
    }

    /**
     * The number of heads.
     * @return One per source domain.
     */
    public int size() {
        return domains.size();
    }

    /**
     * The number of features a head reads.
     * @return The width.
     */
    public int width() {
        return width;
    }

    /**
     * The number of classes.
     * @return The label count.
     */
    public int classes() {
        return classes;
    }

    /**
     * The provenance of the trainer that produced the heads.
     * @return The provenance.
     */
    public ConfiguredObjectProvenance provenance() {
        return provenance;
    }

    /**
     * One head's class probabilities.
     * @param head The head's index.
     * @param features {@code n * width} features.
     * @param n The number of examples.
     * @return {@code n * classes} probabilities.
     */
    public float[] probabilities(int head, float[] features, int n) {
        if (features.length != n * width) {
            throw new IllegalArgumentException("the heads read " + width + " features per example; " + n
                    + " examples need " + n * width + " values, found " + features.length);
        }
        double[] logits = logits(weights[head], biases[head], features, n, width, classes);
        double[] p = RowSoftmax.apply(logits, n, classes);
        float[] out = new float[p.length];
        for (int j = 0; j < p.length; j++) {
            out[j] = (float) p[j];
        }
        return out;
    }

    /**
     * The logits {@code W x + b} of a linear classifier.
     * @param weight {@code classes * width} weights.
     * @param bias {@code classes} biases.
     * @param features {@code n * width} features.
     * @param n The number of examples.
     * @param width The number of features.
     * @param classes The number of classes.
     * @return {@code n * classes} logits.
     */
    static double[] logits(double[] weight, double[] bias, float[] features, int n, int width, int classes) {
        double[] out = new double[n * classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                double z = bias[c];
                for (int d = 0; d < width; d++) {
                    z += weight[c * width + d] * features[i * width + d];
                }
                out[i * classes + c] = z;
            }
        }
        return out;
    }
}
