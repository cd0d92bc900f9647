package org.tribuoadapt.peft.sara;

import org.tribuoadapt.core.train.NetworkOptimiser;

import java.util.List;

/**
 * SaRA's progressive parameter adjustment (Hu et al. 2025; the authors' {@code progressive_iter}): after a set number
 * of optimiser steps every module revises its selection ({@link SaraModule#reselect()}), so that the tuned weights
 * still too small to matter keep training while those that have grown are kept. The authors rebuild their optimiser
 * at that step; here the wrapped optimiser keeps its state, which no longer acts on the deselected weights because the
 * mask multiplies them.
 */
final class ProgressiveOptimiser implements NetworkOptimiser {

    private final NetworkOptimiser optimiser;
    private final List<SaraModule> modules;
    private final long progressiveIter;
    private long steps;

    /**
     * Wraps an optimiser.
     * @param optimiser The trainer's optimiser.
     * @param modules The adapter's modules.
     * @param progressiveIter The number of steps after which the selection is revised, at least 1.
     */
    ProgressiveOptimiser(NetworkOptimiser optimiser, List<SaraModule> modules, long progressiveIter) {
        this.optimiser = optimiser;
        this.modules = List.copyOf(modules);
        this.progressiveIter = progressiveIter;
    }

    @Override
    public void step() {
        optimiser.step();
        steps++;
        if (steps == progressiveIter) {
            for (SaraModule m : modules) {
                m.reselect();
            }
        }
    }

    @Override
    public double learningRate() {
        return optimiser.learningRate();
    }

    @Override
    public void setLearningRate(double rate) {
        optimiser.setLearningRate(rate);
    }

    @Override
    public void close() {
        optimiser.close();
    }
}
