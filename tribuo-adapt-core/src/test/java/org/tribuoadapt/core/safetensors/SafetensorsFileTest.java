package org.tribuoadapt.core.safetensors;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.assertMessageContains;

class SafetensorsFileTest {
    private static final TensorData ONE = TensorData.ofFloats(new long[]{1}, new float[]{1});
    private static final TensorData TWO = TensorData.ofLongs(new long[]{1}, new long[]{2});

    private static SafetensorsFile twoTensors() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("zeta", ONE);
        tensors.put("alpha", TWO);
        return new SafetensorsFile(tensors, Map.of("format", "pt"));
    }

    @Test
    void keepsInsertionOrderAndLooksUpByName() {
        SafetensorsFile file = twoTensors();
        assertEquals(List.of("zeta", "alpha"), List.copyOf(file.names()));
        assertEquals(List.of("zeta", "alpha"), List.copyOf(file.tensors().keySet()));
        assertSame(ONE, file.get("zeta"));
        assertTrue(file.contains("alpha"));
        assertFalse(file.contains("beta"));
        assertEquals(2, file.size());
        assertEquals(Map.of("format", "pt"), file.metadata());
    }

    @Test
    void missingTensorErrorNamesItAndListsTheAvailableNames() {
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> twoTensors().get("beta"));
        assertMessageContains(e, "no tensor named 'beta'", "available (2): ['zeta', 'alpha']");
    }

    @Test
    void missingTensorErrorAbbreviatesLongNameLists() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (int i = 0; i < 25; i++) {
            tensors.put("t" + i, ONE);
        }
        NoSuchElementException e = assertThrows(NoSuchElementException.class,
                () -> new SafetensorsFile(tensors, null).get("x"));
        assertMessageContains(e, "no tensor named 'x'", "available (25)", "'t19'", "... and 5 more]");
        assertFalse(e.getMessage().contains("'t20'"));
    }

    @Test
    void isImmutableAndCopiesItsInputs() {
        Map<String, TensorData> tensors = new HashMap<>(Map.of("a", ONE));
        Map<String, String> metadata = new HashMap<>(Map.of("k", "v"));
        SafetensorsFile file = new SafetensorsFile(tensors, metadata);
        tensors.put("b", TWO);
        metadata.put("k2", "v2");
        assertEquals(1, file.size());
        assertEquals(Map.of("k", "v"), file.metadata());
        assertThrows(UnsupportedOperationException.class, () -> file.tensors().put("c", ONE));
        assertThrows(UnsupportedOperationException.class, () -> file.names().remove("a"));
        assertThrows(UnsupportedOperationException.class, () -> file.metadata().put("x", "y"));
        assertTrue(new SafetensorsFile(Map.of(), null).metadata().isEmpty());
    }

    @Test
    void rejectsReservedAndNullEntries() {
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
                () -> new SafetensorsFile(Map.of("__metadata__", ONE), null));
        assertMessageContains(reserved, "'__metadata__' is reserved");
        Map<String, TensorData> nullTensor = new HashMap<>();
        nullTensor.put("a", null);
        assertMessageContains(assertThrows(NullPointerException.class, () -> new SafetensorsFile(nullTensor, null)),
                "tensor 'a' is null");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertMessageContains(assertThrows(NullPointerException.class, () -> new SafetensorsFile(Map.of(), nullValue)),
                "metadata value for key 'k' is null");
    }

    @Test
    void equalityIgnoresOrder() {
        Map<String, TensorData> reversed = new LinkedHashMap<>();
        reversed.put("alpha", TWO);
        reversed.put("zeta", ONE);
        SafetensorsFile other = new SafetensorsFile(reversed, Map.of("format", "pt"));
        assertEquals(twoTensors(), other);
        assertEquals(twoTensors().hashCode(), other.hashCode());
        assertNotEquals(twoTensors(), new SafetensorsFile(reversed, null));
        assertTrue(twoTensors().toString().contains("zeta=TensorData[dtype=F32, shape=[1], bytes=4]"));
    }

    @Test
    void requireFiniteNamesTheTensorValueAndPosition() {
        twoTensors().requireFinite("model.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("counts", TWO);
        tensors.put("fc.weight", TensorData.ofFloats(new long[]{2, 2}, new float[]{0, 1, Float.POSITIVE_INFINITY, 2}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SafetensorsFile(tensors, Map.of()).requireFinite("model.safetensors"));
        assertMessageContains(e, "model.safetensors: tensor 'fc.weight' (shape [2, 2]) holds the non-finite value "
                + "Infinity at element 2");
        Map<String, TensorData> doubles = Map.of("x", TensorData.ofDoubles(new long[]{2}, new double[]{1, Double.NaN}));
        assertMessageContains(assertThrows(IllegalArgumentException.class,
                () -> new SafetensorsFile(doubles, Map.of()).requireFinite("in")), "value NaN at element 1");
    }
}
