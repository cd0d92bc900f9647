package org.tribuoadapt.peft.lycoris;

import ai.djl.ndarray.NDArray;

/**
 * Rebuilds a convolution kernel from a CP-style decomposition, the "parameter-efficient" factorisation of FedPara
 * (Hyeon-Woo et al. 2022, Proposition 3) that LoHa and LoKr use for kernels larger than 1x1:
 * {@code W[p, r, k, l] = sum_{i, j} t[i, j, k, l] a[i, p] b[j, r]} (PEFT's
 * {@code einsum("i j k l, i p, j r -> p r k l", t, a, b)}).
 */
public final class CpDecomposition {

    private CpDecomposition() {}

    /**
     * Rebuilds the kernel.
     * @param core The core {@code t}, {@code [rank, rank, kh, kw]}.
     * @param out The output factor {@code a}, {@code [rank, out]}.
     * @param in The input factor {@code b}, {@code [rank, in]}.
     * @return The kernel {@code [out, in, kh, kw]}.
     */
    public static NDArray rebuild(NDArray core, NDArray out, NDArray in) {
        long rank = core.getShape().get(0);
        long kh = core.getShape().get(2);
        long kw = core.getShape().get(3);
        long o = out.getShape().get(1);
        long n = in.getShape().get(1);
        // contract i: a^T [out, rank] x t [rank, rank * kh * kw]
        NDArray step = out.transpose().matMul(core.reshape(rank, rank * kh * kw)).reshape(o, rank, kh * kw);
        // contract j: [out * kh * kw, rank] x b [rank, in]
        NDArray full = step.transpose(0, 2, 1).reshape(o * kh * kw, rank).matMul(in);
        return full.reshape(o, kh * kw, n).transpose(0, 2, 1).reshape(o, n, kh, kw);
    }
}
