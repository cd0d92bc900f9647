package org.tribuoadapt.core.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An immutable tensor as stored in a safetensors file: an element type, a shape and the raw
 * little-endian, row-major element bytes.
 * <p>
 * Shapes are defensively copied on the way in and out. The byte count always equals the element
 * count times the element size, and is at most the largest Java array length.
 */
public final class TensorData {
    private final SafetensorsDType dtype;
    private final long[] shape;
    private final long numElements;
    private final byte[] data;

    private TensorData(SafetensorsDType dtype, long[] shape, long numElements, byte[] data) {
        this.dtype = dtype;
        this.shape = shape;
        this.numElements = numElements;
        this.data = data;
    }

    /**
     * Creates a tensor from raw little-endian, row-major element bytes.
     *
     * @param dtype the element type.
     * @param shape the dimensions (copied); an empty shape is a scalar with one element.
     * @param data  the element bytes (copied); their length must equal the element count times
     *              {@link SafetensorsDType#byteSize()}.
     * @return the tensor.
     * @throws IllegalArgumentException if a dimension is negative, the shape is too large for a
     *                                  Java array, or the byte count does not match the shape.
     */
    public static TensorData of(SafetensorsDType dtype, long[] shape, byte[] data) {
        Objects.requireNonNull(data, "data must not be null");
        long[] shapeCopy = Objects.requireNonNull(shape, "shape must not be null").clone();
        int byteLength = checkedByteLength(Objects.requireNonNull(dtype, "dtype must not be null"), shapeCopy);
        if (data.length != byteLength) {
            throw new IllegalArgumentException("dtype " + dtype.headerName() + " and shape " + Shapes.format(shapeCopy)
                    + " need " + byteLength + " bytes but " + data.length + " bytes were given");
        }
        return new TensorData(dtype, shapeCopy, byteLength / dtype.byteSize(), data.clone());
    }

    /**
     * Creates an F32 tensor.
     *
     * @param shape  the dimensions (copied).
     * @param values the elements in row-major order; their count must match the shape.
     * @return the tensor.
     * @throws IllegalArgumentException if the shape is invalid or does not match the value count.
     */
    public static TensorData ofFloats(long[] shape, float[] values) {
        int count = Objects.requireNonNull(values, "values must not be null").length;
        return encode(SafetensorsDType.F32, shape, count, buffer -> buffer.asFloatBuffer().put(values));
    }

    /**
     * Creates an F64 tensor.
     *
     * @param shape  the dimensions (copied).
     * @param values the elements in row-major order; their count must match the shape.
     * @return the tensor.
     * @throws IllegalArgumentException if the shape is invalid or does not match the value count.
     */
    public static TensorData ofDoubles(long[] shape, double[] values) {
        int count = Objects.requireNonNull(values, "values must not be null").length;
        return encode(SafetensorsDType.F64, shape, count, buffer -> buffer.asDoubleBuffer().put(values));
    }

    /**
     * Creates an I64 tensor.
     *
     * @param shape  the dimensions (copied).
     * @param values the elements in row-major order; their count must match the shape.
     * @return the tensor.
     * @throws IllegalArgumentException if the shape is invalid or does not match the value count.
     */
    public static TensorData ofLongs(long[] shape, long[] values) {
        int count = Objects.requireNonNull(values, "values must not be null").length;
        return encode(SafetensorsDType.I64, shape, count, buffer -> buffer.asLongBuffer().put(values));
    }

    /**
     * Creates an I32 tensor.
     *
     * @param shape  the dimensions (copied).
     * @param values the elements in row-major order; their count must match the shape.
     * @return the tensor.
     * @throws IllegalArgumentException if the shape is invalid or does not match the value count.
     */
    public static TensorData ofInts(long[] shape, int[] values) {
        int count = Objects.requireNonNull(values, "values must not be null").length;
        return encode(SafetensorsDType.I32, shape, count, buffer -> buffer.asIntBuffer().put(values));
    }

    /**
     * Wraps bytes already validated against the shape, without copying them. For the reader,
     * which owns the freshly read array.
     */
    static TensorData wrapValidated(SafetensorsDType dtype, long[] shape, byte[] data) {
        return new TensorData(dtype, shape.clone(), data.length / dtype.byteSize(), data);
    }

    /**
     * Checks a shape and returns the byte count of a tensor of that type and shape.
     *
     * @throws IllegalArgumentException if a dimension is negative or the tensor is too large for
     *                                  a Java array.
     */
    private static int checkedByteLength(SafetensorsDType dtype, long[] shape) {
        int negative = Shapes.firstNegativeDimension(shape);
        if (negative >= 0) {
            throw new IllegalArgumentException("shape " + Shapes.format(shape) + " has a negative dimension at index " + negative);
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Shapes.elementCount(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the byte count of dtype " + dtype.headerName() + " and shape "
                    + Shapes.format(shape) + " overflows a 64-bit integer", e);
        }
        if (bytes > Shapes.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("dtype " + dtype.headerName() + " and shape " + Shapes.format(shape) + " need "
                    + bytes + " bytes, more than the largest Java array (" + Shapes.MAX_ARRAY_LENGTH + " bytes)");
        }
        return (int) bytes;
    }

    /** Copies and checks the shape, then lets {@code writer} fill a little-endian buffer of the right size. */
    private static TensorData encode(SafetensorsDType dtype, long[] shape, int valueCount, Consumer<ByteBuffer> writer) {
        long[] shapeCopy = Objects.requireNonNull(shape, "shape must not be null").clone();
        int byteLength = checkedByteLength(dtype, shapeCopy);
        long expected = byteLength / dtype.byteSize();
        if (expected != valueCount) {
            throw new IllegalArgumentException("shape " + Shapes.format(shapeCopy) + " has " + expected
                    + " elements but " + valueCount + " values were given");
        }
        ByteBuffer buffer = ByteBuffer.allocate(byteLength).order(ByteOrder.LITTLE_ENDIAN);
        writer.accept(buffer);
        return new TensorData(dtype, shapeCopy, valueCount, buffer.array());
    }

    /**
     * The element type.
     *
     * @return the dtype.
     */
    public SafetensorsDType dtype() {
        return dtype;
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape.
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the rank (0 for a scalar).
     */
    public int rank() {
        return shape.length;
    }

    /**
     * The dimensions as ints, for APIs that take int shapes.
     *
     * @return a new int array with the shape.
     * @throws IllegalStateException if a dimension exceeds {@link Integer#MAX_VALUE} (possible only
     *                               when another dimension is zero).
     */
    public int[] intShape() {
        int[] result = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new IllegalStateException("dimension " + i + " of shape " + Shapes.format(shape) + " does not fit in an int");
            }
            result[i] = (int) shape[i];
        }
        return result;
    }

    /**
     * The number of elements: the product of the dimensions.
     *
     * @return the element count.
     */
    public long numElements() {
        return numElements;
    }

    /**
     * The number of data bytes.
     *
     * @return the element count times the element size.
     */
    public int byteLength() {
        return data.length;
    }

    /**
     * The raw element bytes, little-endian and row-major.
     *
     * @return a copy of the data.
     */
    public byte[] toByteArray() {
        return data.clone();
    }

    /**
     * A read-only little-endian view of the raw element bytes, without copying them.
     *
     * @return a read-only buffer positioned at zero.
     */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The elements as floats. F32, F16 (including subnormals, infinities and NaNs) and BF16
     * convert exactly; F64 and integers beyond 24 bits are rounded once to the nearest float;
     * BOOL gives 0 or 1.
     *
     * @return a new array of {@link #numElements()} floats.
     */
    public float[] toFloatArray() {
        ByteBuffer buffer = littleEndian();
        float[] result = new float[(int) numElements];
        for (int i = 0; i < result.length; i++) {
            result[i] = floatAt(buffer, i);
        }
        return result;
    }

    /**
     * The position of the first NaN or infinite element.
     *
     * @return its row-major index, or -1 when every element is finite (always for integer and boolean types).
     */
    public long indexOfNonFinite() {
        if (!dtype.isFloatingPoint()) {
            return -1;
        }
        ByteBuffer buffer = littleEndian();
        for (int i = 0; i < numElements; i++) {
            double value = dtype == SafetensorsDType.F64 ? buffer.getDouble(i * Double.BYTES) : floatAt(buffer, i);
            if (!Double.isFinite(value)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The elements as doubles. Every type converts exactly except I64 and U64 values beyond 53
     * bits, which are rounded once to the nearest double; BOOL gives 0 or 1.
     *
     * @return a new array of {@link #numElements()} doubles.
     */
    public double[] toDoubleArray() {
        ByteBuffer buffer = littleEndian();
        double[] result = new double[(int) numElements];
        for (int i = 0; i < result.length; i++) {
            result[i] = doubleAt(buffer, i);
        }
        return result;
    }

    /**
     * The elements of an integer or boolean tensor as longs (BOOL gives 0 or 1).
     *
     * @return a new array of {@link #numElements()} longs.
     * @throws IllegalStateException if the dtype is a floating point type.
     * @throws ArithmeticException   if a U64 element exceeds {@link Long#MAX_VALUE}.
     */
    public long[] toLongArray() {
        if (dtype.isFloatingPoint()) {
            throw new IllegalStateException("a tensor of dtype " + dtype.headerName()
                    + " cannot be converted to long[]; use toFloatArray() or toDoubleArray()");
        }
        ByteBuffer buffer = littleEndian();
        long[] result = new long[(int) numElements];
        for (int i = 0; i < result.length; i++) {
            result[i] = integerAt(buffer, i);
            if (dtype == SafetensorsDType.U64 && result[i] < 0) {
                throw new ArithmeticException("U64 element " + i + " (" + Long.toUnsignedString(result[i])
                        + ") does not fit in a signed long");
            }
        }
        return result;
    }

    private ByteBuffer littleEndian() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code i} as a float, rounded at most once. */
    private float floatAt(ByteBuffer buffer, int i) {
        switch (dtype) {
            case F32:
                return buffer.getFloat(i * Float.BYTES);
            case F16:
                return HalfFloats.halfToFloat(buffer.getShort(i * Short.BYTES));
            case BF16:
                return HalfFloats.bfloat16ToFloat(buffer.getShort(i * Short.BYTES));
            case I64:
                return buffer.getLong(i * Long.BYTES);
            case U64:
                return unsignedToFloat(buffer.getLong(i * Long.BYTES));
            default:
                // F64, and integers of up to 32 bits, which are exact as doubles: one rounding step.
                return (float) doubleAt(buffer, i);
        }
    }

    /** Element {@code i} as a double, rounded at most once. */
    private double doubleAt(ByteBuffer buffer, int i) {
        switch (dtype) {
            case F64:
                return buffer.getDouble(i * Double.BYTES);
            case U64:
                return unsignedToDouble(buffer.getLong(i * Long.BYTES));
            default:
                return dtype.isFloatingPoint() ? floatAt(buffer, i) : integerAt(buffer, i);
        }
    }

    /** Element {@code i} of an integer or boolean tensor; U64 elements are returned as their raw bits. */
    private long integerAt(ByteBuffer buffer, int i) {
        switch (dtype) {
            case BOOL:
                return buffer.get(i) == 0 ? 0 : 1;
            case U8:
                return Byte.toUnsignedLong(buffer.get(i));
            case I8:
                return buffer.get(i);
            case I16:
                return buffer.getShort(i * Short.BYTES);
            case U16:
                return Short.toUnsignedLong(buffer.getShort(i * Short.BYTES));
            case I32:
                return buffer.getInt(i * Integer.BYTES);
            case U32:
                return Integer.toUnsignedLong(buffer.getInt(i * Integer.BYTES));
            case I64:
            case U64:
                return buffer.getLong(i * Long.BYTES);
            default:
                throw new IllegalStateException("dtype " + dtype.headerName() + " is not an integer type");
        }
    }

    /**
     * Converts an unsigned 64-bit value to the nearest double. Halving with the lowest bit kept
     * as a sticky bit makes the single rounding step exact.
     */
    private static double unsignedToDouble(long value) {
        if (value >= 0) {
            return value;
        }
        return (double) ((value >>> 1) | (value & 1)) * 2.0;
    }

    /** Converts an unsigned 64-bit value to the nearest float, like {@link #unsignedToDouble(long)}. */
    private static float unsignedToFloat(long value) {
        if (value >= 0) {
            return value;
        }
        return (float) ((value >>> 1) | (value & 1)) * 2.0f;
    }

    /**
     * Two tensors are equal when they have the same dtype, shape and bytes (so NaNs with the same
     * bits are equal and 0.0 differs from -0.0).
     *
     * @param o the other object.
     * @return true if equal.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TensorData)) {
            return false;
        }
        TensorData other = (TensorData) o;
        return dtype == other.dtype && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
    }

    /**
     * A hash of the dtype, shape and bytes.
     *
     * @return the hash code.
     */
    @Override
    public int hashCode() {
        int result = dtype.hashCode();
        result = 31 * result + Arrays.hashCode(shape);
        return 31 * result + Arrays.hashCode(data);
    }

    /**
     * A summary of the dtype, shape and byte count; never the data.
     *
     * @return for example {@code TensorData[dtype=F32, shape=[32, 16], bytes=2048]}.
     */
    @Override
    public String toString() {
        return "TensorData[dtype=" + dtype.headerName() + ", shape=" + Shapes.format(shape) + ", bytes=" + data.length + "]";
    }
}
