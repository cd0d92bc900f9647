package org.tribuoadapt.core.safetensors;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads a file written by PyTorch through the reference safetensors library (the base model of
 * a small PEFT LoRA fixture).
 */
class SafetensorsPyTorchFileTest {
    private static final Map<String, long[]> EXPECTED_SHAPES = Map.of(
            "fc1.weight", new long[]{32, 16},
            "fc1.bias", new long[]{32},
            "fc2.weight", new long[]{32, 32},
            "fc2.bias", new long[]{32},
            "head.weight", new long[]{5, 32},
            "head.bias", new long[]{5});

    private static Path fixture() throws URISyntaxException {
        return Path.of(SafetensorsPyTorchFileTest.class.getResource("/safetensors/mlp_base_model.safetensors").toURI());
    }

    @Test
    void readsTheNamesShapesAndDtypesPyTorchWrote() throws Exception {
        SafetensorsFile file = SafetensorsReader.read(fixture());
        assertEquals(List.of("fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight", "head.bias", "head.weight"),
                List.copyOf(file.names()));
        assertTrue(file.metadata().isEmpty());
        for (Map.Entry<String, long[]> expected : EXPECTED_SHAPES.entrySet()) {
            TensorData tensor = file.get(expected.getKey());
            assertEquals(SafetensorsDType.F32, tensor.dtype(), expected.getKey());
            assertArrayEquals(expected.getValue(), tensor.shape(), expected.getKey());
            float[] values = tensor.toFloatArray();
            assertEquals(tensor.numElements(), values.length);
            for (float v : values) {
                assertTrue(Float.isFinite(v) && Math.abs(v) < 10, expected.getKey() + " has an implausible weight " + v);
            }
        }
        assertEquals(file, SafetensorsReader.read(Files.readAllBytes(fixture())));
    }

    @Test
    void rewritingItReproducesTheReferenceWritersBytes() throws Exception {
        byte[] original = Files.readAllBytes(fixture());
        assertArrayEquals(original, SafetensorsWriter.toBytes(SafetensorsReader.read(original)));
    }
}
