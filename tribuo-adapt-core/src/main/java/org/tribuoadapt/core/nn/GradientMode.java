package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches PyTorch's thread-local gradient recording on or off for a block, and restores the previous setting when
 * closed; {@link #backward} runs reverse-mode differentiation from a scalar.
 * <p>
 * PyTorch keeps the grad mode per thread and new threads start with it enabled, so every prediction path opens a
 * {@link #disabled()} block: inference then builds no autograd graph and is safe to run from many threads.
 */
public final class GradientMode implements AutoCloseable {

    private final boolean previous;

    private GradientMode(boolean enabled) {
        DjlRuntime.engine();
        this.previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /**
     * Disables gradient recording until the returned block is closed.
     * @return The block to close.
     */
    public static GradientMode disabled() {
        return new GradientMode(false);
    }

    /**
     * Enables gradient recording until the returned block is closed. Unlike DJL's {@code GradientCollector} this
     * holds no global lock, so networks can train on several threads at once.
     * @return The block to close.
     */
    public static GradientMode enabled() {
        return new GradientMode(true);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }

    /**
     * Accumulates the gradient of a scalar into every tensor that requires one and took part in computing it
     * (PyTorch's {@code loss.backward()}). The graph is freed afterwards.
     * @param scalar A scalar computed with gradient recording enabled.
     */
    public static void backward(NDArray scalar) {
        try (NDArray seed = scalar.onesLike()) {
            JniUtils.backward((PtNDArray) scalar, (PtNDArray) seed, false, false);
        }
    }

    /**
     * Clears the accumulated gradient of a tensor.
     * @param array A tensor that requires gradients.
     */
    public static void zeroGradient(NDArray array) {
        JniUtils.zeroGrad((PtNDArray) array);
    }
}
