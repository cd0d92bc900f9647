package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;

/**
 * The loss a training loop minimises on one minibatch. The default is the mean cross-entropy of the network's
 * logits; other modules supply their own (adversarial training attacks the batch first in
 * {@link #prepareInputs}).
 */
@FunctionalInterface
public interface BatchObjective {

    /**
     * Computes the scalar loss of a batch; gradients are being recorded.
     * @param network The network.
     * @param features The (prepared) input batch.
     * @param labels The label ids, int64 {@code [N]}.
     * @param context The training forward context.
     * @return A scalar loss.
     */
    NDArray loss(Network network, NDArray features, NDArray labels, ForwardContext context);

    /**
     * Transforms the inputs before the loss is recorded, outside gradient recording of the parameters (for example
     * to craft adversarial examples). The default returns them unchanged.
     * @param network The network.
     * @param features The input batch.
     * @param labels The label ids.
     * @param context The training forward context.
     * @return The inputs the loss is computed on.
     */
    default NDArray prepareInputs(Network network, NDArray features, NDArray labels, ForwardContext context) {
        return features;
    }

    /**
     * The mean softmax cross-entropy of the network's logits.
     * @return The objective.
     */
    static BatchObjective crossEntropy() {
        return (network, features, labels, context) -> crossEntropy(network.forward(features, context), labels);
    }

    /**
     * The mean softmax cross-entropy {@code -mean_i log softmax(z_i)[y_i]}.
     * @param logits Logits {@code [N, C]}.
     * @param labels Label ids {@code [N]} (int64).
     * @return The scalar loss.
     */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray index = labels.getDataType() == DataType.INT64 ? labels : labels.toType(DataType.INT64, false);
        return logits.logSoftmax(1).gather(index.reshape(-1, 1), 1).mean().neg();
    }
}
