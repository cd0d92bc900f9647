package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * Deep embedded validation (DEV; You, Wang, Long and Jordan 2019, "Towards Accurate Model Selection in Deep
 * Unsupervised Domain Adaptation", ICML), SKADA's {@code DeepEmbeddedValidation}: importance weighting in a deep
 * feature space, with a control variate that reduces its variance. With density ratios {@code w_i} of the source
 * validation examples (Eq. 5, from a {@link DomainClassifier} on the embedded features; not normalised) and their
 * cross-entropy losses {@code l_i}, the weighted losses are {@code L_i = w_i l_i}, and since {@code E[w] = 1} the
 * risk is estimated as {@code mean(L) + eta mean(w) - eta} with {@code eta = -Cov(L, w) / Var(w)} (both with
 * {@code n - 1} in the denominator; {@code eta = 0} when the weights do not vary), Algorithm 1.
 * <p>
 * Score: minus that risk; greater is better. Here the domain classifier is fitted to the same source validation
 * examples it weights (the paper and SKADA fit it to a separate part of the source data).
 */
public final class DeepEmbeddedValidation implements SelectionScorer {

    /** The scorer's name. */
    public static final String NAME = "dev";

    @Config(description = "The domain classifier that estimates the density ratios.")
    private DomainClassifier domainClassifier = new LogisticDomainClassifier();

    /**
     * Creates the scorer with a {@link LogisticDomainClassifier} with scikit-learn's defaults.
     */
    public DeepEmbeddedValidation() {}

    /**
     * Creates the scorer.
     * @param domainClassifier The domain classifier.
     */
    public DeepEmbeddedValidation(DomainClassifier domainClassifier) {
        this.domainClassifier = domainClassifier;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (domainClassifier == null) {
            throw new PropertyException("", "domainClassifier", "DEV needs a domain classifier");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(SelectionInputs inputs) {
        double[] weights = ImportanceWeights.densityRatios(domainClassifier, inputs);
        double[] losses = ImportanceWeights.crossEntropy(inputs);
        return -risk(weights, losses);
    }

    /**
     * The control-variate estimate of the target risk, {@code mean(w l) + eta mean(w) - eta}.
     * @param weights The density ratios.
     * @param losses The losses.
     * @return The risk.
     */
    static double risk(double[] weights, double[] losses) {
        int n = weights.length;
        double[] weighted = new double[n];
        double meanWeighted = 0;
        double meanWeight = 0;
        for (int i = 0; i < n; i++) {
            weighted[i] = weights[i] * losses[i];
            meanWeighted += weighted[i] / n;
            meanWeight += weights[i] / n;
        }
        double covariance = 0;
        double variance = 0;
        for (int i = 0; i < n; i++) {
            covariance += (weighted[i] - meanWeighted) * (weights[i] - meanWeight);
            variance += (weights[i] - meanWeight) * (weights[i] - meanWeight);
        }
        double eta = n < 2 || variance == 0 ? 0 : -covariance / variance;
        return meanWeighted + eta * meanWeight - eta;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SelectionScorer");
    }

    @Override
    public String toString() {
        return "DeepEmbeddedValidation(domainClassifier=" + domainClassifier + ")";
    }
}
