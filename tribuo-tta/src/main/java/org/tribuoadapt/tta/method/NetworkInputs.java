package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Network;

/**
 * Turns a stream batch's flat values into a network input tensor {@code [n, inputShape...]}.
 */
public final class NetworkInputs {

    private NetworkInputs() {}

    /**
     * Creates the input tensor.
     * @param manager The batch's memory.
     * @param network The network, for its input shape.
     * @param values {@code n * inputSize} values, example after example.
     * @param n The number of examples.
     * @return The tensor.
     * @throws IllegalArgumentException if the number of values does not fit.
     */
    public static NDArray batch(NDManager manager, Network network, float[] values, int n) {
        Shape shape = new Shape(n).addAll(network.inputShape());
        if (n < 1 || values.length != shape.size()) {
            throw new IllegalArgumentException("a batch of " + n + " examples of shape " + network.inputShape()
                    + " needs " + shape.size() + " values, found " + values.length);
        }
        return manager.create(values, shape);
    }
}
