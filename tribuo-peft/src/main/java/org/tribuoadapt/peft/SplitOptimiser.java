package org.tribuoadapt.peft;

import org.tribuoadapt.core.train.NetworkOptimiser;

/**
 * The optimiser of an adapter whose method trains some of its parameters with an optimiser of its own
 * ({@link AdapterSpec#separatelyOptimised}, SoRA's gates): each step runs the trainer's optimiser over the other
 * parameters, then the method's optimiser over its own, as the authors of SoRA step their two optimisers.
 */
final class SplitOptimiser implements NetworkOptimiser {

    private final NetworkOptimiser trainer;
    private final NetworkOptimiser separate;

    SplitOptimiser(NetworkOptimiser trainer, NetworkOptimiser separate) {
        this.trainer = trainer;
        this.separate = separate;
    }

    @Override
    public void step() {
        trainer.step();
        separate.step();
    }

    /** The trainer's optimiser's learning rate, which the training history records. */
    @Override
    public double learningRate() {
        return trainer.learningRate();
    }

    @Override
    public void close() {
        try {
            trainer.close();
        } finally {
            separate.close();
        }
    }
}
