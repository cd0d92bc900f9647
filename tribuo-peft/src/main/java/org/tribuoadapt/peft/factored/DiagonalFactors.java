package org.tribuoadapt.peft.factored;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.TargetLayer;

/**
 * A weight update {@code dW = L diag(c) R} with frozen factors {@code L [out, r]} and {@code R [r, fanIn]} taken from a
 * decomposition of the frozen weight, and coefficients {@code c} that depend on the trained values: the form of SVFit
 * ({@code U_r diag(s - s0) V_r^T}, Sun et al. 2024) and LoLDU ({@code P L_r diag(s z - s0 z0) U_r}, Shi et al. 2024).
 * The forward pass applies {@code R} with the target's own operation (so a convolution keeps its kernel, stride and
 * padding), scales the {@code r} hidden features and maps them back with {@code L} as a pointwise operation.
 */
public final class DiagonalFactors {

    private final TargetLayer target;
    private final Parameter left;
    private final Parameter right;
    private final int rank;

    /**
     * Wraps the frozen factors.
     * @param target The layer whose weight they decompose.
     * @param left {@code L}, {@code [out, r]}.
     * @param right {@code R}, {@code [r, fanIn]}.
     */
    public DiagonalFactors(TargetLayer target, Parameter left, Parameter right) {
        this.target = target;
        this.left = left;
        this.right = right;
        this.rank = Math.toIntExact(left.shape().get(1));
    }

    /**
     * The change of the target's output, {@code dW x}.
     * @param input The layer's input.
     * @param coefficients {@code c}, {@code [r]}.
     * @return The change, shaped like the layer's output.
     */
    public NDArray apply(NDArray input, NDArray coefficients) {
        long k = target.kernelSize();
        NDArray kernel = target.isConv() ? right.array().reshape(rank, target.inFeatures(), k, k) : right.array();
        NDArray hidden = target.apply(input, kernel, null);
        hidden = hidden.mul(coefficients.reshape(target.featureBroadcast(rank, hidden.getShape().dimension())));
        NDArray back = target.isConv() ? left.array().reshape(target.outFeatures(), rank, 1, 1) : left.array();
        return target.applyPointwise(hidden, back);
    }

    /**
     * The weight update {@code L diag(c) R}, shaped like the target's weight.
     * @param coefficients {@code c}, {@code [r]}.
     * @return The update.
     */
    public NDArray delta(NDArray coefficients) {
        return target.unflatten(left.array().mul(coefficients.reshape(1, rank)).matMul(right.array()));
    }
}
