package org.tribuoadapt.core.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.assertMessageContains;

class SafetensorsDTypeTest {

    @Test
    void sizesAndHeaderNamesMatchTheSpec() {
        assertEquals(8, SafetensorsDType.F64.byteSize());
        assertEquals(4, SafetensorsDType.F32.byteSize());
        assertEquals(2, SafetensorsDType.F16.byteSize());
        assertEquals(2, SafetensorsDType.BF16.byteSize());
        assertEquals(8, SafetensorsDType.I64.byteSize());
        assertEquals(4, SafetensorsDType.I32.byteSize());
        assertEquals(2, SafetensorsDType.I16.byteSize());
        assertEquals(1, SafetensorsDType.I8.byteSize());
        assertEquals(1, SafetensorsDType.U8.byteSize());
        assertEquals(1, SafetensorsDType.BOOL.byteSize());
        assertEquals(2, SafetensorsDType.U16.byteSize());
        assertEquals(4, SafetensorsDType.U32.byteSize());
        assertEquals(8, SafetensorsDType.U64.byteSize());
        assertEquals("BF16", SafetensorsDType.BF16.headerName());
        assertEquals("BOOL", SafetensorsDType.BOOL.headerName());
        assertTrue(SafetensorsDType.BF16.isFloatingPoint());
        assertFalse(SafetensorsDType.U8.isFloatingPoint());
    }

    @ParameterizedTest
    @EnumSource(SafetensorsDType.class)
    void fromHeaderNameInvertsHeaderName(SafetensorsDType type) {
        assertSame(type, SafetensorsDType.fromHeaderName(type.headerName()));
    }

    @Test
    void declarationOrderIsIncreasingAlignment() {
        SafetensorsDType[] types = SafetensorsDType.values();
        for (int i = 1; i < types.length; i++) {
            assertTrue(types[i - 1].byteSize() <= types[i].byteSize(), types[i - 1] + " before " + types[i]);
        }
    }

    @Test
    void unknownNamesAreAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsDType.fromHeaderName("F8_E5M2"));
        assertMessageContains(e, "unknown or unsupported dtype 'F8_E5M2'", "F32", "BF16");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsDType.fromHeaderName("float32"));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsDType.fromHeaderName("f32"));
        assertThrows(NullPointerException.class, () -> SafetensorsDType.fromHeaderName(null));
    }
}
