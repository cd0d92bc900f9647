package org.tribuoadapt.peft.bottleneck;

/**
 * Where a bottleneck adapter reads its input, in the terms of He et al. (2022, table 1), for a residual branch that
 * computes {@code h = branch(x)}, with {@code f(z) = ReLU(z W_down^T + b_down) W_up^T + b_up}.
 */
public enum BottleneckPlacement {
    /** After the branch, on its output: {@code h <- h + s f(h)} (Houlsby et al. 2019). */
    SEQUENTIAL,
    /** Beside the branch, on its input: {@code h <- h + s f(x)} (He et al. 2022). */
    PARALLEL
}
