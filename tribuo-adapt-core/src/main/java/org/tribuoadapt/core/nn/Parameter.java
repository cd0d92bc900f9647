package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A named tensor owned by a {@link Layer}: either a learnable weight or a buffer (running statistics, counters)
 * that is saved with the network but never receives gradients.
 * <p>
 * The tensor lives in the owning {@link Network}'s native memory. Its local name follows PyTorch
 * ({@code weight}, {@code bias}, {@code running_mean}), so the network's dotted parameter names are the keys of
 * the equivalent PyTorch {@code state_dict}.
 */
public final class Parameter {

    /** Whether a parameter is learnable. */
    public enum Kind {
        /** A learnable tensor. */
        WEIGHT,
        /** A tensor saved with the network that is never trained (for example BatchNorm's running mean). */
        BUFFER
    }

    private final String name;
    private final Kind kind;
    private final NDArray array;
    private boolean trainable;

    /**
     * Wraps a tensor as a parameter. Weights start trainable, buffers never are.
     * @param name The local name, e.g. {@code weight}.
     * @param kind Whether it is a weight or a buffer.
     * @param array The tensor, owned by the network's manager.
     */
    public Parameter(String name, Kind kind, NDArray array) {
        this.name = name;
        this.kind = kind;
        this.array = array;
        setTrainable(kind == Kind.WEIGHT);
    }

    /**
     * The local name of this parameter inside its layer.
     * @return The name.
     */
    public String name() {
        return name;
    }

    /**
     * Whether this is a weight or a buffer.
     * @return The kind.
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The tensor holding the current value.
     * @return The tensor.
     */
    public NDArray array() {
        return array;
    }

    /**
     * The shape of this parameter.
     * @return The shape.
     */
    public Shape shape() {
        return array.getShape();
    }

    /**
     * The number of scalar values in this parameter.
     * @return The element count.
     */
    public long size() {
        return array.size();
    }

    /**
     * Whether gradients are recorded for this parameter and an optimiser updates it.
     * @return True if trainable.
     */
    public boolean isTrainable() {
        return trainable;
    }

    /**
     * Freezes or unfreezes this parameter.
     * @param trainable True to record gradients for it.
     * @throws IllegalStateException if a buffer is made trainable.
     */
    public void setTrainable(boolean trainable) {
        if (trainable && kind == Kind.BUFFER) {
            throw new IllegalStateException("buffer '" + name + "' cannot be trained");
        }
        if (trainable != array.hasGradient() || trainable != this.trainable) {
            array.setRequiresGradient(trainable);
        }
        this.trainable = trainable;
    }

    /**
     * Copies the values of {@code source} into this parameter, in place (the tensor object stays the same, so
     * optimiser state keyed on it stays valid).
     * @param source A tensor of the same shape.
     * @throws IllegalArgumentException if the shapes differ.
     */
    public void copyFrom(NDArray source) {
        if (!source.getShape().equals(array.getShape())) {
            throw new IllegalArgumentException("cannot copy a tensor of shape " + source.getShape()
                    + " into parameter '" + name + "' of shape " + array.getShape());
        }
        try (GradientMode ignored = GradientMode.disabled()) {
            NDArray converted = source.getDataType() == array.getDataType() ? source : source.toType(array.getDataType(), false);
            array.set(new NDIndex("..."), converted);
            if (converted != source) {
                converted.close();
            }
        }
    }

    /**
     * Overwrites this parameter with the given values, in place.
     * @param values The new values in row-major order; as many as {@link #size()}.
     * @throws IllegalArgumentException if the count differs.
     */
    public void assign(float[] values) {
        if (values.length != array.size()) {
            throw new IllegalArgumentException("parameter '" + name + "' of shape " + shape() + " needs "
                    + array.size() + " values, got " + values.length);
        }
        try (NDArray source = array.getManager().create(values, array.getShape())) {
            copyFrom(source);
        }
    }

    /**
     * Reads this parameter into a Java array of floats.
     * @return The values in row-major order.
     */
    public float[] toFloatArray() {
        if (array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        try (NDArray converted = array.toType(DataType.FLOAT32, false)) {
            return converted.toFloatArray();
        }
    }

    @Override
    public String toString() {
        return name + shape() + (kind == Kind.BUFFER ? " (buffer)" : trainable ? "" : " (frozen)");
    }
}
