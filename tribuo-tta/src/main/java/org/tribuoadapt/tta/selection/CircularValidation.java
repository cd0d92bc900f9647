package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * Circular validation (Bruzzone and Marconcini 2010, "Domain Adaptation Problems: A DASVM Classification Technique
 * and a Circular Validation Strategy", IEEE TPAMI), SKADA's {@code CircularValidation}: adapt source to target,
 * pseudo-label the target with the adapted predictions, adapt back from the pseudo-labelled target to the source,
 * and score the backward classifier on the true source labels; a forward adaptation whose target labels are
 * consistent transfers back well.
 * <p>
 * <b>Adapting back, for test-time methods.</b> SKADA retrains the same DA estimator with the roles of the domains
 * swapped. A test-time method has no training step that takes labels, so here the backward classifier is the one a
 * test-time method like T3A (Iwasawa and Matsuo 2021) builds from pseudo-labelled features: class prototypes, the
 * mean L2-normalised target feature of each pseudo-label, and every source validation example gets the class of
 * the prototype with the highest cosine similarity to its features. Classes that no target example was given have
 * no prototype and are never predicted.
 * <p>
 * Score: the balanced accuracy (mean recall over the classes present in the source labels, SKADA's default) of
 * the backward classifier on the source validation labels; greater is better.
 */
public final class CircularValidation implements SelectionScorer {

    /** The scorer's name. */
    public static final String NAME = "circular";

    /**
     * Creates the scorer.
     */
    public CircularValidation() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(SelectionInputs inputs) {
        int width = inputs.featureWidth();
        int classes = inputs.numClasses();
        int[] pseudo = inputs.targetPseudoLabels();
        double[][] prototypes = new double[classes][width];
        boolean[] present = new boolean[classes];
        for (int i = 0; i < pseudo.length; i++) {
            double[] x = unit(inputs.targetFeatures(), i, width);
            present[pseudo[i]] = true;
            for (int j = 0; j < width; j++) {
                prototypes[pseudo[i]][j] += x[j];
            }
        }
        for (int c = 0; c < classes; c++) {
            prototypes[c] = unit(prototypes[c]);
        }
        long[] correct = new long[classes];
        long[] total = new long[classes];
        for (int i = 0; i < inputs.numSource(); i++) {
            double[] x = unit(inputs.sourceFeatures(), i, width);
            int best = -1;
            double bestSimilarity = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                if (present[c]) {
                    double similarity = 0;
                    for (int j = 0; j < width; j++) {
                        similarity += prototypes[c][j] * x[j];
                    }
                    if (similarity > bestSimilarity) {
                        bestSimilarity = similarity;
                        best = c;
                    }
                }
            }
            int label = inputs.sourceLabels()[i];
            total[label]++;
            if (best == label) {
                correct[label]++;
            }
        }
        double recall = 0;
        int seen = 0;
        for (int c = 0; c < classes; c++) {
            if (total[c] > 0) {
                recall += (double) correct[c] / total[c];
                seen++;
            }
        }
        return recall / seen;
    }

    private static double[] unit(float[] values, int example, int width) {
        double[] x = new double[width];
        for (int j = 0; j < width; j++) {
            x[j] = values[example * width + j];
        }
        return unit(x);
    }

    /** Scales to unit length; a zero vector stays zero. */
    private static double[] unit(double[] x) {
        double norm = 0;
        for (double v : x) {
            norm += v * v;
        }
        if (norm > 0) {
            double scale = 1 / Math.sqrt(norm);
            for (int j = 0; j < x.length; j++) {
                x[j] *= scale;
            }
        }
        return x;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SelectionScorer");
    }

    @Override
    public String toString() {
        return "CircularValidation()";
    }
}
