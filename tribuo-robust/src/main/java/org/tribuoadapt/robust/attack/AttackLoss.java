package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The per-example objective a gradient attack maximises. Cross-entropy is the usual choice (Madry et al. 2018); the
 * KL divergence from the clean prediction is TRADES' inner maximisation (Zhang et al. 2019, equation 5).
 */
@FunctionalInterface
public interface AttackLoss {

    /** The cross-entropy of the true label, {@code -log softmax(z)[y]}. */
    AttackLoss CROSS_ENTROPY = (logits, labels) -> logits.logSoftmax(1)
            .gather(labels.toType(DataType.INT64, false).reshape(-1, 1), 1).reshape(-1).neg();

    /**
     * Computes the loss of each example.
     * @param logits Logits or log-probabilities {@code [N, C]}, recorded for gradients.
     * @param labels The true label ids {@code [N]}.
     * @return Losses {@code [N]}.
     */
    NDArray perExample(NDArray logits, NDArray labels);

    /**
     * The KL divergence {@code KL(p || softmax(z)) = sum_k p_k (log p_k - log softmax(z)_k)} from fixed
     * probabilities {@code p} (TRADES, Zhang et al. 2019); classes with {@code p_k = 0} contribute nothing.
     * @param reference The reference probabilities {@code [N, C]}, for example the clean prediction.
     * @return The loss.
     */
    static AttackLoss klDivergenceFrom(NDArray reference) {
        return (logits, labels) -> {
            NDArray logReference = reference.maximum(1e-30f).log();
            return reference.mul(logReference.sub(logits.logSoftmax(1))).sum(new int[] {1});
        };
    }
}
