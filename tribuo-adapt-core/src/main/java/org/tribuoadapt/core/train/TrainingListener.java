package org.tribuoadapt.core.train;

import org.tribuoadapt.core.nn.LayerObserver;
import org.tribuoadapt.core.nn.Network;

import java.util.Optional;

/**
 * Receives training progress, for example to drive a progress bar. All methods default to doing nothing.
 */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {};

    /**
     * Called once before the first step.
     * @param totalSteps The planned number of optimiser steps.
     */
    default void onStart(long totalSteps) {}

    /**
     * Called after every optimiser step.
     * @param step The step number, starting at 1.
     * @param loss The minibatch loss.
     * @param learningRate The learning rate used.
     */
    default void onStep(long step, double loss, double learningRate) {}

    /**
     * Called after every epoch.
     * @param summary The epoch's figures.
     */
    default void onEpoch(EpochSummary summary) {}

    /**
     * Called after every epoch with the network as the epoch left it, for listeners that measure the network itself
     * (for example a validation metric reported to a hyper-parameter study, which may stop training by throwing). The
     * listener must neither change nor close the network. The default calls {@link #onEpoch(EpochSummary)}.
     * @param summary The epoch's figures.
     * @param network The network being trained.
     */
    default void onEpoch(EpochSummary summary, Network network) {
        onEpoch(summary);
    }

    /**
     * Called once when training ends, normally or not.
     */
    default void onFinish() {}

    /**
     * An observer to attach to every training forward pass, to measure what the loss does not show (for example the
     * entropy of attention, {@link AttentionEntropyMonitor}). It sees each layer's input and output and must not
     * change them.
     * @return The observer, or empty (the default).
     */
    default Optional<LayerObserver> trainingObserver() {
        return Optional.empty();
    }
}
