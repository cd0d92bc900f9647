package org.tribuoadapt.core.safetensors;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The element types a safetensors tensor may have, with their header names and sizes in bytes.
 * <p>
 * The constants are declared in the same increasing-alignment order as the reference
 * implementation's {@code Dtype} enum; {@link SafetensorsWriter} relies on this order to lay out
 * tensors the way the reference writer does. The 8-bit and sub-byte float formats of the
 * reference implementation are not supported.
 */
public enum SafetensorsDType {
    /** Boolean, one byte per element (zero is false, anything else true). */
    BOOL("BOOL", 1, false),
    /** Unsigned 8-bit integer. */
    U8("U8", 1, false),
    /** Signed 8-bit integer. */
    I8("I8", 1, false),
    /** Signed 16-bit integer. */
    I16("I16", 2, false),
    /** Unsigned 16-bit integer. */
    U16("U16", 2, false),
    /** IEEE 754 half precision float. */
    F16("F16", 2, true),
    /** Brain float 16 (the upper half of an IEEE 754 single precision float). */
    BF16("BF16", 2, true),
    /** Signed 32-bit integer. */
    I32("I32", 4, false),
    /** Unsigned 32-bit integer. */
    U32("U32", 4, false),
    /** IEEE 754 single precision float. */
    F32("F32", 4, true),
    /** IEEE 754 double precision float. */
    F64("F64", 8, true),
    /** Signed 64-bit integer. */
    I64("I64", 8, false),
    /** Unsigned 64-bit integer. */
    U64("U64", 8, false);

    private final String headerName;
    private final int byteSize;
    private final boolean floatingPoint;

    SafetensorsDType(String headerName, int byteSize, boolean floatingPoint) {
        this.headerName = headerName;
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /**
     * The name used for this type in the {@code "dtype"} field of a safetensors header.
     *
     * @return the header name, for example {@code "F32"}.
     */
    public String headerName() {
        return headerName;
    }

    /**
     * The size of one element of this type.
     *
     * @return the number of bytes per element.
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Whether this is a floating point type (F16, BF16, F32 or F64).
     *
     * @return true for floating point types, false for integer and boolean types.
     */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * Looks up a type by its safetensors header name.
     *
     * @param name the header name, for example {@code "BF16"}; matched case-sensitively.
     * @return the type.
     * @throws IllegalArgumentException if no supported type has that name; the message lists the
     *                                  supported names.
     */
    public static SafetensorsDType fromHeaderName(String name) {
        Objects.requireNonNull(name, "dtype name must not be null");
        for (SafetensorsDType type : values()) {
            if (type.headerName.equals(name)) {
                return type;
            }
        }
        String supported = Arrays.stream(values()).map(SafetensorsDType::headerName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown or unsupported dtype '" + name + "' (supported: " + supported + ")");
    }
}
