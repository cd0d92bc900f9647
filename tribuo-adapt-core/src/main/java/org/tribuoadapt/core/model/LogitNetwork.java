package org.tribuoadapt.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;

import java.util.List;

/**
 * The computation of a network-backed classifier, from a dense input batch to one score per label, in a form that can
 * be differentiated and adapted: a single {@link Network}, or several networks combined (a mixture of two
 * classifiers). Attacks differentiate it with respect to its input; test-time methods change the parameters of its
 * {@link #networks()}. It owns the native memory of its networks unless it says otherwise; close it when done.
 */
public interface LogitNetwork extends AutoCloseable {

    /**
     * The shape of one input example.
     * @return The input shape (without the batch dimension).
     */
    Shape inputShape();

    /**
     * Scores a batch: logits, or log-probabilities for a mixture; a softmax over them gives the label probabilities.
     * @param inputs The batch {@code [N, inputShape...]}.
     * @param context The forward context (training flag, batch manager, observers).
     * @return Scores {@code [N, classes]}, columns in the model's label-id order.
     */
    NDArray logits(NDArray inputs, ForwardContext context);

    /**
     * Scores a batch in inference mode, in the batch's manager.
     * @param inputs The batch {@code [N, inputShape...]}.
     * @return Scores {@code [N, classes]}.
     */
    default NDArray logits(NDArray inputs) {
        return logits(inputs, ForwardContext.inference(inputs.getManager()));
    }

    /**
     * The networks this computation runs, for methods that change their layers or parameters.
     * @return The networks, in a fixed order.
     */
    List<Network> networks();

    @Override
    void close();

    /**
     * The computation of one network, which it owns.
     * @param network The network; closed with the result.
     * @return The computation.
     */
    static LogitNetwork of(Network network) {
        return new LogitNetwork() {
            @Override
            public Shape inputShape() {
                return network.inputShape();
            }

            @Override
            public NDArray logits(NDArray inputs, ForwardContext context) {
                return network.forward(inputs, context);
            }

            @Override
            public List<Network> networks() {
                return List.of(network);
            }

            @Override
            public void close() {
                network.close();
            }

            @Override
            public String toString() {
                return "LogitNetwork(" + network + ")";
            }
        };
    }
}
