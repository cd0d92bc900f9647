package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.tribuoadapt.core.nn.TapeConstants;

/**
 * How a hypernetwork encodes its conditioning input (a hyperparameter or a task code, each value in {@code [0, 1]})
 * before its first layer. Magnitude Invariant Parametrizations (Ortiz, Guttag and Dalca, "Magnitude Invariant
 * Parametrizations Improve Hypernetwork Learning", ICLR 2024) replace the raw input by an encoding of constant norm, so
 * that the magnitude of the predicted weights no longer grows with the magnitude of the input.
 */
public enum HyperInputEncoding {
    /** The raw values, as a plain hypernetwork reads them: {@code gamma -> gamma}. */
    IDENTITY,
    /**
     * The paper's encoding: {@code gamma -> [cos(pi gamma / 2), sin(pi gamma / 2)]} per value, so the encoding of
     * {@code k} values always has Euclidean norm {@code sqrt(k)}. Values are laid out as all cosines, then all sines.
     */
    COS_SIN,
    /**
     * {@code gamma -> [gamma, 1 - gamma]} per value: for values in {@code [0, 1]} the encoding of {@code k} values
     * always has L1 norm {@code k}. Values are laid out as all {@code gamma}, then all {@code 1 - gamma}.
     */
    COMPLEMENT;

    /**
     * The width of the encoding of {@code conditionSize} values.
     * @param conditionSize The number of conditioning values.
     * @return The encoded width.
     */
    public int encodedSize(int conditionSize) {
        return this == IDENTITY ? conditionSize : 2 * conditionSize;
    }

    /**
     * Encodes a batch of conditioning values.
     * @param conditioning The values {@code [N, k]}, each expected in {@code [0, 1]}.
     * @return The encoding {@code [N, encodedSize(k)]}.
     */
    public NDArray encode(NDArray conditioning) {
        switch (this) {
            case IDENTITY:
                return conditioning;
            case COS_SIN: {
                NDArray angle = TapeConstants.times(conditioning, Math.PI / 2);
                return NDArrays.concat(new NDList(angle.cos(), angle.sin()), 1);
            }
            case COMPLEMENT:
                return NDArrays.concat(new NDList(conditioning, conditioning.neg().add(1f)), 1);
            default:
                throw new IllegalStateException("unknown encoding " + this);
        }
    }
}
