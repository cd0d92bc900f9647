package org.tribuoadapt.hpo.steplaw;

/**
 * One of a user's own tuning results, for refitting the Step Law (Li et al. 2025, "Predictable Scale: Part I --
 * Optimal Hyperparameter Scaling Law in Large Language Model Pretraining", arXiv 2503.04715): the best learning rate
 * and batch size found for a model of {@code parameters} weights trained on {@code dataSize} units of data.
 *
 * @param parameters The model size N (the paper counts non-embedding parameters).
 * @param dataSize The data size D, in the same unit as the batch size (the paper counts training tokens).
 * @param learningRate The best learning rate found.
 * @param batchSize The best batch size found, in units of data (tokens for the paper).
 */
public record StepLawObservation(double parameters, double dataSize, double learningRate, double batchSize) {

    /**
     * Validates the observation.
     * @throws IllegalArgumentException if a value is not positive and finite.
     */
    public StepLawObservation {
        check("parameters (N)", parameters);
        check("dataSize (D)", dataSize);
        check("learningRate", learningRate);
        check("batchSize", batchSize);
    }

    private static void check(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("a Step Law observation needs a positive, finite " + name + ", found " + value);
        }
    }
}
