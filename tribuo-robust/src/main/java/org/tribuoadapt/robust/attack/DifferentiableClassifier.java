package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A classifier whose scores are differentiable in its inputs, the target of white-box gradient attacks: a frozen
 * network, or a composite of networks such as an adaptive-smoothing classifier (attacked as a whole, so that no
 * gradient is masked). It runs in inference mode and records no gradient for its own parameters; the attack asks
 * for input gradients only.
 */
public interface DifferentiableClassifier extends AutoCloseable {

    /**
     * The shape of one input example (no batch dimension).
     * @return The input shape.
     */
    Shape inputShape();

    /**
     * Scores a batch: logits, or log-probabilities for mixtures (their softmax is the predicted distribution).
     * Gradients flow to the inputs when gradient recording is on.
     * @param inputs A batch {@code [N, inputShape...]}; the result is allocated in its manager.
     * @return Scores {@code [N, C]}, columns in the model's label-id order.
     */
    NDArray logits(NDArray inputs);

    /**
     * Frees the classifier's private networks, or gives a borrowed network its trainable parameters back.
     */
    @Override
    void close();
}
