package org.tribuoadapt.peft.zeroi2v;

/**
 * Which side of a Linear layer {@code y = x W^T + b} a ZeroI2V linear adapter {@code g(z) = z + s f(z)}, with
 * {@code f(z) = (z D^T + b_D) U^T + b_U}, sits on (Li et al. 2024, section 3.3).
 */
public enum LinearAdapterPlacement {
    /** On the layer's input: {@code y = g(x) W^T + b}, as the adapters before the attention and the feed-forward. */
    BEFORE,
    /** On the layer's output: {@code y <- g(y)}, as the adapters after the attention and the feed-forward. */
    AFTER
}
