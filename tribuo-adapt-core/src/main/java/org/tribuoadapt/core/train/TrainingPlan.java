package org.tribuoadapt.core.train;

/**
 * The facts about a training run that an optimiser may set itself from, for example a scaling-law learning rate
 * that depends on the model size and the amount of data.
 *
 * @param trainableParameters The number of trainable values.
 * @param totalParameters The number of values in the network, trainable or not (buffers excluded).
 * @param examples The number of training examples.
 * @param valuesPerExample The number of input values per example.
 * @param batchSize The minibatch size.
 * @param epochs The planned number of epochs.
 */
public record TrainingPlan(long trainableParameters, long totalParameters, long examples, long valuesPerExample,
                           int batchSize, int epochs) {

    /**
     * The number of optimiser steps the run will take if it is not stopped early.
     * @return The planned steps.
     */
    public long plannedSteps() {
        return ((examples + batchSize - 1) / batchSize) * epochs;
    }
}
