package org.tribuoadapt.core.safetensors;

/**
 * Decoding of the 16-bit float formats F16 (IEEE 754 half precision) and BF16 (brain float).
 */
final class HalfFloats {
    private static final int HALF_EXPONENT_MASK = 0x1F;
    private static final int HALF_MANTISSA_MASK = 0x3FF;
    /** Float exponent bias (127) minus half exponent bias (15). */
    private static final int EXPONENT_REBIAS = 127 - 15;
    /** The value of the least significant mantissa bit of a half precision subnormal: 2^-24. */
    private static final float HALF_SUBNORMAL_UNIT = 0x1p-24f;

    private HalfFloats() {
    }

    /**
     * Converts IEEE 754 half precision bits to a float. Every half value, including subnormals,
     * infinities and NaNs (whose payload is kept), is exactly representable as a float.
     *
     * @param bits the 16 bits of the half precision value.
     * @return the same value as a float.
     */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & HALF_EXPONENT_MASK;
        int mantissa = h & HALF_MANTISSA_MASK;
        if (exponent == HALF_EXPONENT_MASK) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * HALF_SUBNORMAL_UNIT;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + EXPONENT_REBIAS) << 23) | (mantissa << 13));
    }

    /**
     * Converts brain float 16 bits to a float: they are the upper 16 bits of a float.
     *
     * @param bits the 16 bits of the BF16 value.
     * @return the same value as a float.
     */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
