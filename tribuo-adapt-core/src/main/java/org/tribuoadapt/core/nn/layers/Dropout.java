package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Inverted dropout (Srivastava et al. 2014): during training each value is zeroed with probability {@code rate} and
 * the rest are scaled by {@code 1 / (1 - rate)}; at inference it is the identity. The mask comes from PyTorch's
 * random generator, which the trainers seed.
 */
public final class Dropout extends Layer {

    private final double rate;

    /**
     * Creates a dropout layer.
     * @param rate The drop probability in [0, 1).
     */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), found " + rate);
        }
        this.rate = rate;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        if (!context.isTraining() || rate == 0) {
            return input;
        }
        return input.getNDArrayInternal().dropout(input, (float) rate, true).singletonOrThrow();
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return inputShape;
    }

    /** @return The drop probability. */
    public double rate() {
        return rate;
    }

    @Override
    public String describe() {
        return "Dropout(" + rate + ")";
    }
}
