package org.tribuoadapt.core.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.assertMessageContains;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.withLengthPrefix;

class SafetensorsWriterTest {

    private static TensorData randomTensor(SafetensorsDType dtype, long[] shape, long seed) {
        int count = 1;
        for (long dim : shape) {
            count *= (int) dim;
        }
        byte[] data = new byte[count * dtype.byteSize()];
        new Random(seed).nextBytes(data);
        return TensorData.of(dtype, shape, data);
    }

    private static Map<String, TensorData> mixedTensors() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("b.weight", TensorData.ofFloats(new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, 6}));
        tensors.put("a.steps", TensorData.ofLongs(new long[]{1}, new long[]{42}));
        tensors.put("c.mask", randomTensor(SafetensorsDType.BOOL, new long[]{3}, 1));
        tensors.put("d.half", randomTensor(SafetensorsDType.BF16, new long[]{5}, 2));
        tensors.put("e.scalar", TensorData.ofDoubles(new long[0], new double[]{Math.PI}));
        tensors.put("f.empty", TensorData.ofFloats(new long[]{0, 4}, new float[0]));
        return tensors;
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static String headerText(byte[] file) {
        return new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8);
    }

    private static List<String> headerKeys(byte[] file) throws IOException {
        List<String> keys = new ArrayList<>();
        new ObjectMapper().readTree(headerText(file)).fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static List<String> listDirectory(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @ParameterizedTest
    @EnumSource(SafetensorsDType.class)
    void roundTripsEveryDtype(SafetensorsDType dtype, @TempDir Path dir) throws IOException {
        TensorData tensor = randomTensor(dtype, new long[]{2, 3}, dtype.ordinal());
        Map<String, TensorData> tensors = Map.of("t", tensor, "scalar", randomTensor(dtype, new long[0], 7));
        byte[] bytes = SafetensorsWriter.toBytes(tensors, Map.of("dtype", dtype.headerName()));

        SafetensorsFile read = SafetensorsReader.read(bytes);
        assertEquals(tensor, read.get("t"));
        assertEquals(dtype, read.get("t").dtype());
        assertArrayEquals(new long[]{2, 3}, read.get("t").shape());
        assertArrayEquals(tensor.toByteArray(), read.get("t").toByteArray());
        assertEquals(Map.of("dtype", dtype.headerName()), read.metadata());

        Path path = dir.resolve("t.safetensors");
        SafetensorsWriter.write(path, tensors, Map.of("dtype", dtype.headerName()));
        assertArrayEquals(bytes, Files.readAllBytes(path));
        assertEquals(read, SafetensorsReader.read(path));
    }

    @Test
    void roundTripsMixedTensorsScalarsEmptyTensorsAndMetadata() throws IOException {
        Map<String, String> metadata = Map.of("format", "pt", "note", "ünïcödé \"quoted\"\n");
        SafetensorsFile read = SafetensorsReader.read(SafetensorsWriter.toBytes(mixedTensors(), metadata));
        assertEquals(new SafetensorsFile(mixedTensors(), metadata), read);
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, read.get("b.weight").toFloatArray());
        assertArrayEquals(new double[]{Math.PI}, read.get("e.scalar").toDoubleArray());
        assertEquals(0, read.get("f.empty").numElements());
        SafetensorsFile copy = SafetensorsReader.read(SafetensorsWriter.toBytes(read));
        assertEquals(read, copy);
    }

    @Test
    void readTensorsDoNotAliasTheInputArray() throws IOException {
        byte[] bytes = SafetensorsWriter.toBytes(Map.of("t", TensorData.ofFloats(new long[]{2}, new float[]{1, 2})), null);
        SafetensorsFile read = SafetensorsReader.read(bytes);
        Arrays.fill(bytes, (byte) 0);
        assertArrayEquals(new float[]{1, 2}, read.get("t").toFloatArray());
    }

    @Test
    void matchesTheReferenceImplementationsBytes() throws IOException {
        // Expected outputs of the reference writer's own unit tests (safetensors/src/tensor.rs).
        byte[] one = SafetensorsWriter.toBytes(
                Map.of("attn.0", TensorData.ofFloats(new long[]{1, 2, 3}, new float[]{0, 1, 2, 3, 4, 5})), null);
        String header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        ByteBuffer expected = ByteBuffer.allocate(8 + 64 + 24).order(ByteOrder.LITTLE_ENDIAN).putLong(64)
                .put(header.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 6; i++) {
            expected.putFloat(i);
        }
        assertArrayEquals(expected.array(), one);

        assertArrayEquals(withLengthPrefix(8, "{}      ".getBytes(StandardCharsets.UTF_8)),
                SafetensorsWriter.toBytes(Map.of(), null));
        assertArrayEquals(withLengthPrefix(40, "{\"__metadata__\":{\"framework\":\"pt\"}}     ".getBytes(StandardCharsets.UTF_8)),
                SafetensorsWriter.toBytes(Map.of(), Map.of("framework", "pt")));
    }

    @Test
    void ordersTensorsByDecreasingAlignmentThenNameWithMetadataFirst() throws IOException {
        byte[] bytes = SafetensorsWriter.toBytes(mixedTensors(), Map.of("z", "1", "a", "2"));
        assertEquals(List.of("__metadata__", "a.steps", "e.scalar", "b.weight", "f.empty", "d.half", "c.mask"),
                headerKeys(bytes));
        assertTrue(headerText(bytes).startsWith("{\"__metadata__\":{\"a\":\"2\",\"z\":\"1\"},"));
        assertEquals(List.of("a.steps", "e.scalar", "b.weight", "f.empty", "d.half", "c.mask"),
                List.copyOf(SafetensorsReader.read(bytes).names()));
    }

    @Test
    void ordersNamesByUtf8BytesLikeTheReference() throws IOException {
        // U+FF5E sorts before U+1F600 in UTF-8 (and code points) but after it in UTF-16 (0xFF5E > 0xD83D).
        String fullwidth = "\uFF5E";
        String emoji = "\uD83D\uDE00";
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put(emoji, TensorData.ofFloats(new long[]{1}, new float[]{1}));
        tensors.put(fullwidth, TensorData.ofFloats(new long[]{1}, new float[]{2}));
        tensors.put("a", TensorData.ofFloats(new long[]{1}, new float[]{3}));
        byte[] bytes = SafetensorsWriter.toBytes(tensors, null);
        assertEquals(List.of("a", fullwidth, emoji), headerKeys(bytes));
        assertEquals(2f, SafetensorsReader.read(bytes).get(fullwidth).toFloatArray()[0]);
    }

    @Test
    void outputIsDeterministicWhateverTheMapOrder() {
        Map<String, TensorData> insertion = mixedTensors();
        Map<String, TensorData> reversed = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(insertion.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            reversed.put(names.get(i), insertion.get(names.get(i)));
        }
        Map<String, String> metadata = new HashMap<>(Map.of("b", "2", "a", "1", "c", "3"));
        byte[] first = SafetensorsWriter.toBytes(insertion, metadata);
        assertArrayEquals(first, SafetensorsWriter.toBytes(reversed, new TreeMap<>(metadata)));
        assertArrayEquals(first, SafetensorsWriter.toBytes(new HashMap<>(insertion), metadata));
        assertArrayEquals(first, SafetensorsWriter.toBytes(insertion, metadata));
    }

    @Test
    void padsTheHeaderWithSpacesToAMultipleOfEight() throws IOException {
        for (int nameLength = 1; nameLength <= 16; nameLength++) {
            String name = "n".repeat(nameLength);
            byte[] bytes = SafetensorsWriter.toBytes(Map.of(name, TensorData.ofFloats(new long[]{1}, new float[]{1})), null);
            long n = headerLength(bytes);
            assertEquals(0, n % 8, "header length " + n + " for name length " + nameLength);
            assertEquals(8 + n + 4, bytes.length);
            String header = headerText(bytes);
            String json = header.stripTrailing();
            assertTrue(json.endsWith("}") && header.substring(json.length()).chars().allMatch(c -> c == ' '),
                    "padding must be spaces: '" + header + "'");
            assertTrue(header.length() - json.length() < 8);
            assertEquals(1f, SafetensorsReader.read(bytes).get(name).toFloatArray()[0]);
        }
    }

    @Test
    void rejectsTensorsAndMetadataThatCannotBeWritten() {
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.toBytes(
                Map.of("__metadata__", TensorData.ofFloats(new long[]{1}, new float[]{1})), null)), "'__metadata__' is reserved");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.toBytes(
                Map.of("bad\uD800name", TensorData.ofFloats(new long[]{1}, new float[]{1})), null)),
                "tensor name", "unpaired UTF-16 surrogate");
        assertMessageContains(assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.toBytes(
                Map.of(), Map.of("k", "\uDC00"))), "metadata value for key 'k'", "unpaired UTF-16 surrogate");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertThrows(NullPointerException.class, () -> SafetensorsWriter.toBytes(Map.of(), nullValue));
    }

    @Test
    void atomicWriteLeavesOnlyTheTargetAndReplacesAnExistingFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.write(target, "old contents".getBytes(StandardCharsets.UTF_8));
        SafetensorsWriter.write(target, mixedTensors(), Map.of("v", "2"));
        assertEquals(List.of("model.safetensors"), listDirectory(dir));
        assertEquals(new SafetensorsFile(mixedTensors(), Map.of("v", "2")), SafetensorsReader.read(target));
    }

    @Test
    void failedMoveDeletesTheTemporaryFile(@TempDir Path dir) throws IOException {
        // The target is a non-empty directory, so the final move fails after the temporary file was written.
        Path target = dir.resolve("model.safetensors");
        Files.createDirectory(target);
        Files.write(target.resolve("keep"), new byte[]{1});
        assertThrows(IOException.class, () -> SafetensorsWriter.write(target, mixedTensors(), null));
        assertEquals(List.of("model.safetensors"), listDirectory(dir));
        assertEquals(List.of("keep"), listDirectory(target));
    }

    @Test
    void invalidInputWritesNothingAndKeepsTheExistingFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("model.safetensors");
        byte[] old = SafetensorsWriter.toBytes(mixedTensors(), null);
        Files.write(target, old);
        Map<String, TensorData> bad = new LinkedHashMap<>(mixedTensors());
        bad.put("__metadata__", TensorData.ofFloats(new long[]{1}, new float[]{1}));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(target, bad, null));
        Map<String, TensorData> unencodable = Map.of("\uDC00", TensorData.ofFloats(new long[]{1}, new float[]{1}));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(target, unencodable, null));
        assertEquals(List.of("model.safetensors"), listDirectory(dir));
        assertArrayEquals(old, Files.readAllBytes(target));
    }

    @Test
    void writingIntoAReadOnlyDirectoryFailsCleanly(@TempDir Path dir) throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(readOnly), "permissions are not enforced for this user (root?)");
            assertThrows(IOException.class,
                    () -> SafetensorsWriter.write(readOnly.resolve("m.safetensors"), mixedTensors(), null));
            assertEquals(List.of(), listDirectory(readOnly));
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
