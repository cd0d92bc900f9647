package org.tribuoadapt.robust.ldr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The pieces of the LDR-KL loss (Zhu, Ying and Yang 2023) that the fixed-lambda and the adaptive objectives share.
 * For an example with scores {@code f} and label {@code y}, the margins are {@code z_k = c 1[k != y] + f_k - f_y}
 * (so {@code z_y = 0}), and for {@code lambda > 0}
 * <pre>
 *   max_{p in simplex} sum_k p_k z_k - lambda KL(p, uniform) = lambda log((1/K) sum_k exp(z_k / lambda)),
 * </pre>
 * attained at {@code p = softmax(z / lambda)}. Since {@code z_y = 0}, {@code log sum_k exp(z_k / lambda)} is
 * {@code -log softmax(z / lambda)_y}, which is how it is computed, stably.
 */
final class LdrKl {

    private LdrKl() {}

    /**
     * The label indices as a column, {@code [N, 1]} int64.
     * @param labels True classes {@code [N]}.
     * @return The column.
     */
    static NDArray labelColumn(NDArray labels) {
        return labels.toType(DataType.INT64, false).reshape(-1, 1);
    }

    /**
     * The margins {@code z_k = c 1[k != y] + f_k - f_y}, differentiable in the scores.
     * @param logits Scores {@code [N, K]}.
     * @param labelColumn True classes {@code [N, 1]}.
     * @param margin The margin {@code c}.
     * @return Margins {@code [N, K]}.
     */
    static NDArray margins(NDArray logits, NDArray labelColumn, double margin) {
        long classes = logits.getShape().get(1);
        NDArray trueScore = logits.gather(labelColumn, 1);
        NDArray wrong = labelColumn.reshape(-1).oneHot(Math.toIntExact(classes)).neg().add(1f);
        return logits.sub(trueScore).add(wrong.mul((float) margin));
    }

    /**
     * {@code log((1/K) sum_k exp(s_k))} per example, for scaled margins {@code s = z / lambda} (with {@code s_y = 0}).
     * @param scaled Scaled margins {@code [N, K]}.
     * @param labelColumn True classes {@code [N, 1]}.
     * @return {@code [N]}.
     */
    static NDArray logMeanExp(NDArray scaled, NDArray labelColumn) {
        long classes = scaled.getShape().get(1);
        return scaled.logSoftmax(1).gather(labelColumn, 1).reshape(-1).neg().sub((float) Math.log(classes));
    }
}
