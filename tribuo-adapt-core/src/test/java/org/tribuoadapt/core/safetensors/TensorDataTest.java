package org.tribuoadapt.core.safetensors;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.assertMessageContains;

class TensorDataTest {

    /** A tensor of 16-bit values given as bit patterns. */
    private static TensorData shorts(SafetensorsDType dtype, int... bits) {
        ByteBuffer buffer = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int b : bits) {
            buffer.putShort((short) b);
        }
        return TensorData.of(dtype, new long[]{bits.length}, buffer.array());
    }

    private static TensorData bytes(SafetensorsDType dtype, int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return TensorData.of(dtype, new long[]{data.length / dtype.byteSize()}, data);
    }

    @Test
    void ofFloatsStoresLittleEndianF32() {
        TensorData t = TensorData.ofFloats(new long[]{2}, new float[]{1.0f, -2.0f});
        assertEquals(SafetensorsDType.F32, t.dtype());
        assertArrayEquals(new byte[]{0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0}, t.toByteArray());
        assertArrayEquals(new float[]{1.0f, -2.0f}, t.toFloatArray());
        assertArrayEquals(new double[]{1.0, -2.0}, t.toDoubleArray());
    }

    @Test
    void ofDoublesOfLongsAndOfIntsUseTheirDtypes() {
        TensorData d = TensorData.ofDoubles(new long[]{3}, new double[]{1.5, 1e300, -0.1});
        assertEquals(SafetensorsDType.F64, d.dtype());
        assertArrayEquals(new double[]{1.5, 1e300, -0.1}, d.toDoubleArray());
        assertArrayEquals(new float[]{1.5f, Float.POSITIVE_INFINITY, -0.1f}, d.toFloatArray());

        TensorData l = TensorData.ofLongs(new long[]{1, 3}, new long[]{Long.MIN_VALUE, 0, Long.MAX_VALUE});
        assertEquals(SafetensorsDType.I64, l.dtype());
        assertArrayEquals(new long[]{Long.MIN_VALUE, 0, Long.MAX_VALUE}, l.toLongArray());
        assertArrayEquals(new byte[]{1, 0, 0, 0, 0, 0, 0, 0}, TensorData.ofLongs(new long[]{1}, new long[]{1}).toByteArray());

        TensorData i = TensorData.ofInts(new long[]{3}, new int[]{1, -2, 16_777_217});
        assertEquals(SafetensorsDType.I32, i.dtype());
        assertArrayEquals(new long[]{1, -2, 16_777_217}, i.toLongArray());
        assertArrayEquals(new float[]{1f, -2f, 16_777_216f}, i.toFloatArray());
    }

    @Test
    void f16ConvertsHandComputedBitPatterns() {
        TensorData t = shorts(SafetensorsDType.F16, 0x3C00, 0xC000, 0x7C00, 0xFC00, 0x0001, 0x8001, 0x03FF, 0x0400,
                0x7BFF, 0x0000, 0x8000, 0x3555, 0x3800);
        float[] v = t.toFloatArray();
        assertEquals(1.0f, v[0]);
        assertEquals(-2.0f, v[1]);
        assertEquals(Float.POSITIVE_INFINITY, v[2]);
        assertEquals(Float.NEGATIVE_INFINITY, v[3]);
        assertEquals(5.9604645e-8f, v[4]);           // smallest subnormal, 2^-24
        assertEquals(0x1p-24f, v[4]);
        assertEquals(-0x1p-24f, v[5]);
        assertEquals(1023 * 0x1p-24f, v[6]);         // largest subnormal
        assertEquals(0x1p-14f, v[7]);                // smallest normal, 6.1035156e-5
        assertEquals(65504f, v[8]);                  // largest finite half
        assertEquals(0, Float.floatToRawIntBits(v[9]));
        assertEquals(0x80000000, Float.floatToRawIntBits(v[10])); // -0.0 keeps its sign
        assertEquals(0.33325195f, v[11]);
        assertEquals(0.5f, v[12]);
    }

    @Test
    void f16NaNsStayNaNAndKeepTheirPayload() {
        float[] v = shorts(SafetensorsDType.F16, 0x7E00, 0xFE01, 0x7C01).toFloatArray();
        for (float f : v) {
            assertTrue(Float.isNaN(f));
        }
        assertEquals(0x7FC00000, Float.floatToRawIntBits(v[0]));
        assertEquals(0xFFC02000, Float.floatToRawIntBits(v[1]));
    }

    @Test
    void f16AgreesWithTheDefinitionForEveryBitPattern() {
        int[] all = new int[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        float[] v = shorts(SafetensorsDType.F16, all).toFloatArray();
        double[] d = shorts(SafetensorsDType.F16, all).toDoubleArray();
        for (int bits = 0; bits < all.length; bits++) {
            int sign = (bits & 0x8000) != 0 ? -1 : 1;
            int exponent = (bits >> 10) & 0x1F;
            int mantissa = bits & 0x3FF;
            double expected;
            if (exponent == 0x1F) {
                expected = mantissa == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
            } else if (exponent == 0) {
                expected = sign * mantissa * Math.pow(2, -24);
            } else {
                expected = sign * (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            }
            int b = bits;
            assertEquals(expected, v[bits], 0.0, () -> "F16 bits 0x" + Integer.toHexString(b));
            assertEquals(expected, d[bits], 0.0, () -> "F16 bits 0x" + Integer.toHexString(b));
        }
    }

    @Test
    void bf16ConvertsHandComputedBitPatterns() {
        float[] v = shorts(SafetensorsDType.BF16, 0x3F80, 0xC000, 0x7F80, 0xFF80, 0x4049, 0x0001, 0x7FC0).toFloatArray();
        assertEquals(1.0f, v[0]);
        assertEquals(-2.0f, v[1]);
        assertEquals(Float.POSITIVE_INFINITY, v[2]);
        assertEquals(Float.NEGATIVE_INFINITY, v[3]);
        assertEquals(3.140625f, v[4]);
        assertEquals(0x1p-133f, v[5]);               // smallest BF16 subnormal
        assertTrue(Float.isNaN(v[6]));
    }

    @Test
    void integerDtypesConvertWithTheirSignedness() {
        assertArrayEquals(new long[]{-1, 127, -128}, bytes(SafetensorsDType.I8, 0xFF, 0x7F, 0x80).toLongArray());
        assertArrayEquals(new long[]{255, 0, 128}, bytes(SafetensorsDType.U8, 0xFF, 0x00, 0x80).toLongArray());
        assertArrayEquals(new long[]{0, 1, 1}, bytes(SafetensorsDType.BOOL, 0, 1, 2).toLongArray());
        assertArrayEquals(new long[]{-2, 0x1234}, shorts(SafetensorsDType.I16, 0xFFFE, 0x1234).toLongArray());
        assertArrayEquals(new long[]{65534}, shorts(SafetensorsDType.U16, 0xFFFE).toLongArray());
        assertArrayEquals(new long[]{-1}, bytes(SafetensorsDType.I32, 0xFF, 0xFF, 0xFF, 0xFF).toLongArray());
        assertArrayEquals(new long[]{4_294_967_295L}, bytes(SafetensorsDType.U32, 0xFF, 0xFF, 0xFF, 0xFF).toLongArray());
        assertArrayEquals(new long[]{0x0807060504030201L},
                bytes(SafetensorsDType.U64, 1, 2, 3, 4, 5, 6, 7, 8).toLongArray());
        assertArrayEquals(new float[]{-1f, 127f, -128f}, bytes(SafetensorsDType.I8, 0xFF, 0x7F, 0x80).toFloatArray());
        assertArrayEquals(new double[]{0, 1, 1}, bytes(SafetensorsDType.BOOL, 0, 1, 2).toDoubleArray());
    }

    @Test
    void u64AboveLongMaxIsAnErrorForLongsButConvertsToFloatingPoint() {
        TensorData max = bytes(SafetensorsDType.U64, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        ArithmeticException e = assertThrows(ArithmeticException.class, max::toLongArray);
        assertMessageContains(e, "18446744073709551615");
        assertArrayEquals(new double[]{0x1p64}, max.toDoubleArray());
        assertArrayEquals(new float[]{0x1p64f}, max.toFloatArray());
        // Doubles near 2^63 are 2048 apart, so 2^63 + 1025 is just above a tie and must round up to
        // 2^63 + 2048; halving without keeping the lost bit would create an exact tie and round down.
        TensorData tricky = TensorData.of(SafetensorsDType.U64, new long[]{1},
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MIN_VALUE + 1025).array());
        assertArrayEquals(new double[]{0x1p63 + 2048}, tricky.toDoubleArray());
    }

    @Test
    void floatingPointTensorsCannotBeReadAsLongs() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TensorData.ofFloats(new long[]{1}, new float[]{1}).toLongArray());
        assertMessageContains(e, "dtype F32 cannot be converted to long[]");
    }

    @Test
    void elementCountsAndShapes() {
        TensorData t = TensorData.of(SafetensorsDType.U8, new long[]{2, 3, 4}, new byte[24]);
        assertEquals(24, t.numElements());
        assertEquals(3, t.rank());
        assertArrayEquals(new int[]{2, 3, 4}, t.intShape());
        TensorData scalar = TensorData.ofFloats(new long[0], new float[]{7});
        assertEquals(1, scalar.numElements());
        assertEquals(0, scalar.rank());
        TensorData empty = TensorData.of(SafetensorsDType.F32, new long[]{0, 3_000_000_000L}, new byte[0]);
        assertEquals(0, empty.numElements());
        assertEquals(0, empty.toFloatArray().length);
        IllegalStateException e = assertThrows(IllegalStateException.class, empty::intShape);
        assertMessageContains(e, "dimension 1", "does not fit in an int");
    }

    @Test
    void invalidShapesAreClearErrors() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> TensorData.ofFloats(new long[]{2, -3}, new float[0]));
        assertMessageContains(negative, "[2, -3]", "negative dimension at index 1");
        IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class,
                () -> TensorData.of(SafetensorsDType.F32, new long[]{1L << 32, 1L << 32, 1L << 32}, new byte[0]));
        assertMessageContains(overflow, "overflows a 64-bit integer");
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> TensorData.of(SafetensorsDType.F32, new long[]{1L << 30}, new byte[0]));
        assertMessageContains(tooLarge, "need 4294967296 bytes", "more than the largest Java array");
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> TensorData.ofFloats(new long[]{2, 3}, new float[5]));
        assertMessageContains(count, "shape [2, 3] has 6 elements but 5 values were given");
        IllegalArgumentException byteCount = assertThrows(IllegalArgumentException.class,
                () -> TensorData.of(SafetensorsDType.F32, new long[]{2, 3}, new byte[20]));
        assertMessageContains(byteCount, "dtype F32 and shape [2, 3] need 24 bytes but 20 bytes were given");
    }

    @Test
    void inputsAndOutputsAreDefensivelyCopied() {
        long[] shape = {2};
        float[] values = {1, 2};
        byte[] raw = new byte[4];
        TensorData t = TensorData.ofFloats(shape, values);
        TensorData r = TensorData.of(SafetensorsDType.I32, new long[]{1}, raw);
        shape[0] = 99;
        values[0] = 99;
        raw[0] = 99;
        t.shape()[0] = 42;
        t.toByteArray()[0] = 42;
        assertArrayEquals(new long[]{2}, t.shape());
        assertArrayEquals(new float[]{1, 2}, t.toFloatArray());
        assertArrayEquals(new long[]{0}, r.toLongArray());
        ByteBuffer view = t.asByteBuffer();
        assertTrue(view.isReadOnly());
        assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
        assertEquals(1.0f, view.getFloat(0));
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 1));
    }

    @Test
    void equalityIsByDtypeShapeAndBytes() {
        TensorData a = TensorData.ofFloats(new long[]{2, 2}, new float[]{1, 2, 3, Float.NaN});
        TensorData b = TensorData.ofFloats(new long[]{2, 2}, new float[]{1, 2, 3, Float.NaN});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, TensorData.ofFloats(new long[]{4}, new float[]{1, 2, 3, Float.NaN}));
        assertNotEquals(a, TensorData.of(SafetensorsDType.I32, new long[]{2, 2}, a.toByteArray()));
        assertNotEquals(TensorData.ofFloats(new long[]{1}, new float[]{0f}), TensorData.ofFloats(new long[]{1}, new float[]{-0f}));
        assertFalse(a.equals(null));
    }

    @Test
    void toStringSummarisesWithoutData() {
        float[] values = new float[1000];
        java.util.Arrays.fill(values, 123.456f);
        String s = TensorData.ofFloats(new long[]{10, 100}, values).toString();
        assertEquals("TensorData[dtype=F32, shape=[10, 100], bytes=4000]", s);
    }
}
