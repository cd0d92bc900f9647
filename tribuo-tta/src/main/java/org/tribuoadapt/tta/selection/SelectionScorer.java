package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;

/**
 * An unsupervised model-selection criterion (SKADA-Bench, Lalou et al. 2024): it scores one adapted configuration
 * from source validation labels and unlabelled target outputs, never from target labels. Scores follow
 * scikit-learn's and SKADA's convention: <b>greater is better</b>; criteria that are losses return their negation.
 */
public interface SelectionScorer extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * A short name for tables, e.g. {@code iwcv}.
     * @return The name.
     */
    String name();

    /**
     * Scores one configuration.
     * @param inputs The configuration's source validation and target outputs.
     * @return The score; greater is better.
     */
    double score(SelectionInputs inputs);
}
