package org.tribuoadapt.core.train;

import java.io.Serializable;
import java.util.List;

/**
 * The record of a training run: per-epoch summaries, the loss and learning rate of every step, and which epoch's
 * weights were kept.
 */
public final class TrainingHistory implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<EpochSummary> epochs;
    private final double[] stepLosses;
    private final double[] stepLearningRates;
    private final int bestEpoch;
    private final boolean stoppedEarly;

    /**
     * Creates a history.
     * @param epochs The epoch summaries, in order.
     * @param stepLosses The loss of every step.
     * @param stepLearningRates The learning rate of every step.
     * @param bestEpoch The epoch whose weights were kept (the last one without validation).
     * @param stoppedEarly Whether early stopping ended the run.
     */
    public TrainingHistory(List<EpochSummary> epochs, double[] stepLosses, double[] stepLearningRates, int bestEpoch,
                           boolean stoppedEarly) {
        if (stepLosses.length != stepLearningRates.length) {
            throw new IllegalArgumentException("step losses (" + stepLosses.length + ") and learning rates ("
                    + stepLearningRates.length + ") must align");
        }
        this.epochs = List.copyOf(epochs);
        this.stepLosses = stepLosses.clone();
        this.stepLearningRates = stepLearningRates.clone();
        this.bestEpoch = bestEpoch;
        this.stoppedEarly = stoppedEarly;
    }

    /** @return The epoch summaries. */
    public List<EpochSummary> epochs() {
        return epochs;
    }

    /** @return A copy of every step's loss. */
    public double[] stepLosses() {
        return stepLosses.clone();
    }

    /** @return A copy of every step's learning rate. */
    public double[] stepLearningRates() {
        return stepLearningRates.clone();
    }

    /** @return The number of optimiser steps taken. */
    public int steps() {
        return stepLosses.length;
    }

    /** @return The epoch whose weights the model keeps. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** @return Whether early stopping ended the run. */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /**
     * The summary of the epoch whose weights were kept.
     * @return The summary.
     */
    public EpochSummary best() {
        return epochs.get(bestEpoch - 1);
    }

    @Override
    public String toString() {
        return "TrainingHistory(epochs=" + epochs.size() + ",steps=" + steps() + ",bestEpoch=" + bestEpoch
                + ",stoppedEarly=" + stoppedEarly + ")";
    }
}
