package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.nn.Kernels;
import org.tribuoadapt.core.nn.PortableKernels;

/**
 * The element-wise nonlinearities a network spec can name.
 */
public enum Activation {
    /** max(0, x). */
    RELU,
    /** The exact (erf) Gaussian error linear unit of Hendrycks and Gimpel 2016, as PyTorch's default GELU. */
    GELU,
    /** tanh(x). */
    TANH,
    /** 1 / (1 + exp(-x)). */
    SIGMOID,
    /** x * sigmoid(x) (SiLU / swish). */
    SILU;

    /**
     * Applies this nonlinearity.
     * @param x The input.
     * @return A new array.
     */
    public NDArray apply(NDArray x) {
        switch (this) {
            case RELU:
                return x.getNDArrayInternal().relu();
            case GELU:
                return Kernels.portable() ? PortableKernels.gelu(x) : x.getNDArrayInternal().gelu();
            case TANH:
                return x.tanh();
            case SIGMOID:
                return x.getNDArrayInternal().sigmoid();
            case SILU:
                return x.mul(x.getNDArrayInternal().sigmoid());
            default:
                throw new IllegalStateException("unknown activation " + this);
        }
    }

    /**
     * Parses a name case-insensitively.
     * @param name The name, e.g. {@code relu}.
     * @return The activation.
     * @throws IllegalArgumentException listing the known names.
     */
    public static Activation parse(String name) {
        for (Activation a : values()) {
            if (a.name().equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "'; known: " + java.util.Arrays.toString(values()));
    }
}
