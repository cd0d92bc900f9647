package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * Importance-weighted validation (IWCV; Sugiyama, Krauledat and Müller 2007, "Covariate Shift Adaptation by
 * Importance Weighted Cross Validation", JMLR), SKADA's {@code ImportanceWeightedScorer}: the source validation
 * loss with every example weighted by its density ratio {@code w_i = p_t(x_i) / p_s(x_i)}, an estimate of the
 * target loss under covariate shift. The ratios come from a {@link DomainClassifier} (by default a logistic
 * regression on the features, {@code w_i = (n_s / n_t) P(t | x_i) / P(s | x_i)}; SKADA's default uses kernel
 * density estimates instead) and are normalised to sum to one, as in SKADA. The loss is the cross-entropy of the
 * adapted probabilities.
 * <p>
 * Score: {@code -sum_i w_i l_i / sum_j w_j}; greater is better. When the domain classifier cannot tell the
 * domains apart, every weight is equal and the score is minus the plain mean validation loss.
 */
public final class ImportanceWeightedValidation implements SelectionScorer {

    /** The scorer's name. */
    public static final String NAME = "iwcv";

    @Config(description = "The domain classifier that estimates the density ratios.")
    private DomainClassifier domainClassifier = new LogisticDomainClassifier();

    /**
     * Creates the scorer with a {@link LogisticDomainClassifier} with scikit-learn's defaults.
     */
    public ImportanceWeightedValidation() {}

    /**
     * Creates the scorer.
     * @param domainClassifier The domain classifier.
     */
    public ImportanceWeightedValidation(DomainClassifier domainClassifier) {
        this.domainClassifier = domainClassifier;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (domainClassifier == null) {
            throw new PropertyException("", "domainClassifier", "IWCV needs a domain classifier");
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
        double total = 0;
        double weighted = 0;
        for (int i = 0; i < weights.length; i++) {
            total += weights[i];
            weighted += weights[i] * losses[i];
        }
        return -weighted / total;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "SelectionScorer");
    }

    @Override
    public String toString() {
        return "ImportanceWeightedValidation(domainClassifier=" + domainClassifier + ")";
    }
}
