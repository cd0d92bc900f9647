package org.tribuoadapt.core.train;

import java.io.Serializable;

/**
 * What one training epoch achieved.
 *
 * @param epoch The epoch number, starting at 1.
 * @param trainLoss The mean minibatch loss over the epoch.
 * @param validationLoss The mean loss on the validation split, or NaN without one.
 * @param validationAccuracy The validation accuracy, or NaN without a validation split.
 * @param learningRate The learning rate at the end of the epoch.
 * @param seconds The wall time of the epoch.
 */
public record EpochSummary(int epoch, double trainLoss, double validationLoss,
                           double validationAccuracy, double learningRate, double seconds) implements Serializable {
}
