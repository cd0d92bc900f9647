package org.tribuoadapt.tta.selection;

/**
 * What the importance-weighted scorers share: the density ratios of the source validation examples and their
 * cross-entropy losses under the adapted model.
 */
final class ImportanceWeights {

    /** Probabilities are clipped to {@code [EPSILON, 1 - EPSILON]} before the logarithm, as in SKADA. */
    static final double EPSILON = 1e-15;

    private ImportanceWeights() {}

    /**
     * The density ratio {@code p_t(x) / p_s(x) = (n_s / n_t) P(target | x) / P(source | x)} of every source
     * validation example.
     * @param classifier The domain classifier.
     * @param inputs The inputs.
     * @return {@code nSource} ratios.
     * @throws IllegalStateException if the classifier returns a value that is not a probability strictly
     * between 0 and 1.
     */
    static double[] densityRatios(DomainClassifier classifier, SelectionInputs inputs) {
        double[] p = classifier.targetProbabilityOfSource(inputs.sourceFeatures(), inputs.targetFeatures(),
                inputs.featureWidth());
        if (p.length != inputs.numSource()) {
            throw new IllegalStateException("the domain classifier returned " + p.length + " probabilities for "
                    + inputs.numSource() + " source examples");
        }
        double prior = (double) inputs.numSource() / inputs.numTarget();
        double[] ratios = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] > 0 && p[i] < 1)) {
                throw new IllegalStateException("the domain classifier gave source example " + i
                        + " the target probability " + p[i] + ", which must lie strictly between 0 and 1");
            }
            ratios[i] = prior * p[i] / (1 - p[i]);
        }
        return ratios;
    }

    /**
     * The cross-entropy {@code -log p(y_i | x_i)} of every source validation example, with the probability clipped
     * to {@code [1e-15, 1 - 1e-15]}.
     * @param inputs The inputs.
     * @return {@code nSource} losses.
     */
    static double[] crossEntropy(SelectionInputs inputs) {
        int classes = inputs.numClasses();
        double[] losses = new double[inputs.numSource()];
        for (int i = 0; i < losses.length; i++) {
            double p = inputs.sourceProbabilities()[i * classes + inputs.sourceLabels()[i]];
            losses[i] = -Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p)));
        }
        return losses;
    }
}
