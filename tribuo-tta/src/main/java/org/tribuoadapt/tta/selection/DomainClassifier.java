package org.tribuoadapt.tta.selection;

import com.oracle.labs.mlrg.olcut.config.Configurable;

/**
 * A probabilistic classifier of the domain (source or target) of a feature vector, the density-ratio estimator of
 * importance-weighted scores: by Bayes' rule {@code p_t(x) / p_s(x) = (n_s / n_t) P(target | x) / P(source | x)}
 * (Bickel, Brückner and Scheffer 2007; You et al. 2019, Eq. 5).
 */
public interface DomainClassifier extends Configurable {

    /**
     * Fits the classifier to source and target features and returns the probability that each source example
     * comes from the target.
     * @param source {@code nSource * width} source features.
     * @param target {@code nTarget * width} target features.
     * @param width The number of features per example.
     * @return {@code nSource} probabilities of the target domain, in (0, 1).
     */
    double[] targetProbabilityOfSource(float[] source, float[] target, int width);
}
