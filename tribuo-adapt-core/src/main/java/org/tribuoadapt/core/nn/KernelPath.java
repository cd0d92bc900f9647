package org.tribuoadapt.core.nn;

/**
 * The two ways Tribuo Adapt runs the operations for which PyTorch's CPU build calls oneDNN: 2-D convolution (forward
 * and both backward passes) and the exact GELU. Every other operation runs on PyTorch's own ATen kernels either way.
 * {@link Kernels} picks one per JVM.
 */
public enum KernelPath {
    /**
     * PyTorch's own dispatch: oneDNN's JIT kernels for the widest instruction set of the CPU (AVX-512 where present).
     * The fast path.
     */
    ONEDNN("onednn"),
    /**
     * Convolution as unfold (im2col) followed by a matrix product, and GELU written with {@code erf}; no oneDNN
     * primitive runs. Used where oneDNN failed the start-up check, or when asked for.
     */
    PORTABLE("portable");

    private final String setting;

    KernelPath(String setting) {
        this.setting = setting;
    }

    /**
     * The name used by the {@value Kernels#PROPERTY} system property and in provenance.
     * @return The setting's name.
     */
    public String setting() {
        return setting;
    }
}
