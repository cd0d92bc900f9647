package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * Prediction entropy (Morerio, Cavazza and Murino 2018, "Minimal-Entropy Correlation Alignment for Unsupervised Deep
 * Domain Adaptation", ICLR), SKADA's {@code PredictionEntropyScorer}: confident target predictions suggest a good
 * adaptation, so a lower mean entropy {@code H(p) = -sum_c p_c ln p_c} (with {@code 0 ln 0 = 0}) is better.
 * <p>
 * Score: minus the mean over target examples of their entropy; greater is better, as in SKADA (whose default
 * {@code greater_is_better=False} flips the sign). SKADA averages {@code -p_c ln(p_c + 1e-7)} over all
 * {@code n * C} entries, which divides the mean entropy by {@code C} and does not change the ranking.
 */
public final class PredictionEntropy implements SelectionScorer {

    /** The scorer's name. */
    public static final String NAME = "entropy";

    /**
     * Creates the scorer.
     */
    public PredictionEntropy() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(SelectionInputs inputs) {
        float[] p = inputs.targetProbabilities();
        double entropy = 0;
        for (float v : p) {
            if (v > 0) {
                entropy -= v * Math.log(v);
            }
        }
        return -entropy / inputs.numTarget();
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SelectionScorer");
    }

    @Override
    public String toString() {
        return "PredictionEntropy()";
    }
}
