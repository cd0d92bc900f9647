package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * Soft neighbourhood density (SND; Saito, Kim, Teterwak, Sclaroff, Darrell and Saenko 2021, "Tune it the Right Way:
 * Unsupervised Validation of Domain Adaptation via Soft Neighborhood Density", ICCV), SKADA's
 * {@code SoftNeighborhoodDensity}: a good adaptation puts each target example in a dense neighbourhood of examples
 * with similar predictions. The target probability vectors are L2-normalised to {@code q_i}; row {@code i} of the
 * similarity matrix is the softmax over {@code j} of {@code q_i . q_j / T} (Eq. 2, temperature {@code T = 0.05}),
 * with the example's own logit set to {@code -q_i . q_i / T = -1 / T} as in the reference code and SKADA, so that it
 * hardly counts; the score is the mean over {@code i} of the entropy of row {@code i} (Eq. 3).
 * <p>
 * Score: the mean entropy; greater is better. It needs at least two target examples, and takes time quadratic in
 * their number (the similarity rows are computed one at a time, so memory stays linear).
 */
public final class SoftNeighbourhoodDensity implements SelectionScorer {

    /** The scorer's name. */
    public static final String NAME = "snd";

    @Config(description = "Temperature T of the similarity softmax, above 0.")
    private double temperature = 0.05;

    /**
     * Creates the scorer with the paper's temperature 0.05.
     */
    public SoftNeighbourhoodDensity() {}

    /**
     * Creates the scorer.
     * @param temperature The temperature, above 0.
     */
    public SoftNeighbourhoodDensity(double temperature) {
        this.temperature = temperature;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new PropertyException("", "temperature", "temperature must be finite and above 0, found "
                    + temperature);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(SelectionInputs inputs) {
        int n = inputs.numTarget();
        if (n < 2) {
            throw new IllegalArgumentException("SND needs at least 2 target examples, found " + n);
        }
        int classes = inputs.numClasses();
        double[][] q = new double[n][classes];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int c = 0; c < classes; c++) {
                q[i][c] = inputs.targetProbabilities()[i * classes + c];
                norm += q[i][c] * q[i][c];
            }
            if (norm == 0) {
                throw new IllegalArgumentException("target example " + i + " has all-zero probabilities");
            }
            norm = Math.sqrt(norm);
            for (int c = 0; c < classes; c++) {
                q[i][c] /= norm;
            }
        }
        double total = 0;
        double[] logits = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int c = 0; c < classes; c++) {
                    dot += q[i][c] * q[j][c];
                }
                logits[j] = (j == i ? -dot : dot) / temperature;
                max = Math.max(max, logits[j]);
            }
            double partition = 0;
            double weightedLogits = 0;
            for (int j = 0; j < n; j++) {
                double e = Math.exp(logits[j] - max);
                partition += e;
                weightedLogits += e * (logits[j] - max);
            }
            // H = -sum s_j log s_j with s_j = e_j / Z and log s_j = (logit_j - max) - log Z
            total += Math.log(partition) - weightedLogits / partition;
        }
        return total / n;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SelectionScorer");
    }

    @Override
    public String toString() {
        return "SoftNeighbourhoodDensity(temperature=" + temperature + ")";
    }
}
