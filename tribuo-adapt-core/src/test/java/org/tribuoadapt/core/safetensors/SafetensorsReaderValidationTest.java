package org.tribuoadapt.core.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.assertMalformed;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.assertMessageContains;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.rawFile;
import static org.tribuoadapt.core.safetensors.SafetensorsTestSupport.withLengthPrefix;

/**
 * Every kind of malformed input must raise a {@link SafetensorsFormatException} naming the problem,
 * from both the byte-array and the Path reader.
 */
class SafetensorsReaderValidationTest {

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    private static Arguments malformedHeader(String header, int dataLength, String... fragments) {
        return Arguments.of(header, dataLength, fragments);
    }

    static Stream<Arguments> malformedHeaders() {
        String a4 = entry("a", "F32", "[1]", "[0,4]");
        return Stream.of(
                // Not JSON, or not a JSON object.
                malformedHeader("{\"a\":{\"dtype\":\"F32\",", 0, "header JSON is invalid"),
                malformedHeader("{} x", 0, "header JSON is invalid"),
                malformedHeader("{\"a\" 1}", 0, "header JSON is invalid"),
                malformedHeader("{\"__metadata__\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0,
                        "header JSON is invalid", "nesting depth"),
                malformedHeader("[1,2]", 0, "header must start with '{'", "0x5B"),
                malformedHeader(" {}", 0, "header must start with '{'"),
                // Entries of the wrong kind, missing or unexpected fields.
                malformedHeader("{\"a\":5}", 0, "tensor 'a'", "must be a JSON object", "number"),
                malformedHeader("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a'", "missing field 'dtype'"),
                malformedHeader("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'a'", "missing field 'shape'"),
                malformedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'a'", "missing field 'data_offsets'"),
                malformedHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"foo\":1}}", 4,
                        "tensor 'a'", "unexpected field 'foo'"),
                // dtype.
                malformedHeader("{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                        "tensor 'a'", "'dtype' must be a string", "number"),
                malformedHeader("{" + entry("a", "F8_E4M3", "[1]", "[0,1]") + "}", 1,
                        "tensor 'a'", "unknown or unsupported dtype 'F8_E4M3'", "supported: BOOL"),
                malformedHeader("{" + entry("a", "f32", "[1]", "[0,4]") + "}", 4, "tensor 'a'", "dtype 'f32'"),
                // shape.
                malformedHeader("{" + entry("a", "F32", "\"2\"", "[0,8]") + "}", 8, "tensor 'a'", "shape must be an array", "string"),
                malformedHeader("{" + entry("a", "F32", "null", "[0,8]") + "}", 8, "tensor 'a'", "shape must be an array", "null"),
                malformedHeader("{" + entry("a", "F32", "[2,-1]", "[0,8]") + "}", 8, "tensor 'a'", "shape[1] must be a non-negative integer but is -1"),
                malformedHeader("{" + entry("a", "F32", "[1.5]", "[0,4]") + "}", 4, "tensor 'a'", "shape[0] must be a non-negative integer", "1.5"),
                malformedHeader("{" + entry("a", "F32", "[2.0]", "[0,8]") + "}", 8, "tensor 'a'", "shape[0] must be a non-negative integer"),
                malformedHeader("{" + entry("a", "F32", "[\"2\"]", "[0,8]") + "}", 8, "tensor 'a'", "shape[0] must be a non-negative integer", "string"),
                malformedHeader("{" + entry("a", "F32", "[99999999999999999999]", "[0,8]") + "}", 8,
                        "tensor 'a'", "shape[0] is 99999999999999999999, too large for a 64-bit integer"),
                malformedHeader("{" + entry("a", "F32", "[4294967296,4294967296,4294967296]", "[0,8]") + "}", 8,
                        "tensor 'a'", "overflows a 64-bit integer"),
                malformedHeader("{" + entry("a", "F64", "[1152921504606846976]", "[0,8]") + "}", 8,
                        "tensor 'a'", "overflows a 64-bit integer"),
                // data_offsets.
                malformedHeader("{" + entry("a", "F32", "[1]", "{\"begin\":0}") + "}", 4, "tensor 'a'", "data_offsets must be an array"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[0,4,8]") + "}", 4, "tensor 'a'", "data_offsets must have exactly 2 elements but has 3"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[4]") + "}", 4, "tensor 'a'", "data_offsets must have exactly 2 elements but has 1"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[-4,0]") + "}", 4, "tensor 'a'", "data_offsets[0] must be a non-negative integer but is -4"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[0,\"4\"]") + "}", 4, "tensor 'a'", "data_offsets[1] must be a non-negative integer"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[4,0]") + "}", 4, "tensor 'a'", "data_offsets [4, 0] begin after they end"),
                // Byte counts and coverage of the data buffer.
                malformedHeader("{" + entry("a", "F32", "[2,3]", "[0,20]") + "}", 20,
                        "tensor 'a'", "dtype F32 and shape [2, 3] need 24 bytes", "data_offsets [0, 20] span 20 bytes"),
                malformedHeader("{" + entry("a", "F32", "[2]", "[0,8]") + "}", 4,
                        "tensor 'a'", "data_offsets [0, 8] extend past the end of the 4-byte data buffer"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[4611686018427387900,4611686018427387904]") + "}", 4,
                        "tensor 'a'", "extend past the end of the 4-byte data buffer"),
                malformedHeader("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}", 12,
                        "tensors 'a' (data_offsets [0, 8]) and 'b' (data_offsets [4, 12]) overlap"),
                malformedHeader("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[0,8]") + "}", 8, "overlap"),
                malformedHeader("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[8,12]") + "}", 12,
                        "bytes [4, 8) of the data buffer, before tensor 'b', are not covered by any tensor"),
                malformedHeader("{" + entry("b", "F32", "[1]", "[4,8]") + "}", 8, "bytes [0, 4)", "before tensor 'b'", "not covered"),
                malformedHeader("{" + a4 + "}", 8, "the data buffer has 8 bytes but the tensors cover only the first 4 (4 trailing bytes)"),
                malformedHeader("{}", 3, "the data buffer has 3 bytes but the tensors cover only the first 0"),
                // Metadata.
                malformedHeader("{\"__metadata__\":{\"k\":1}," + a4 + "}", 4, "'__metadata__' value for key 'k' must be a string", "number"),
                malformedHeader("{\"__metadata__\":{\"k\":null}}", 0, "'__metadata__' value for key 'k' must be a string", "null"),
                malformedHeader("{\"__metadata__\":\"x\"}", 0, "'__metadata__' must be a JSON object of strings", "string"),
                malformedHeader("{\"__metadata__\":[\"x\"]}", 0, "'__metadata__' must be a JSON object of strings", "array"),
                // Escapes of lone surrogates: valid JSON syntax, but not Unicode (the reference rejects them).
                malformedHeader("{\"a\\ud800\":" + entry("x", "F32", "[1]", "[0,4]").substring(4) + "}", 4,
                        "tensor name 'a", "unpaired UTF-16 surrogate"),
                malformedHeader("{\"__metadata__\":{\"k\":\"\\udc00\"}}", 0,
                        "'__metadata__' value for key 'k'", "unpaired UTF-16 surrogate"),
                // Duplicates.
                malformedHeader("{" + a4 + "," + a4 + "}", 4, "header JSON is invalid", "Duplicate", "'a'"),
                malformedHeader("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "header JSON is invalid", "Duplicate", "'k'"),
                malformedHeader("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                        "Duplicate", "'dtype'"));
    }

    @ParameterizedTest
    @MethodSource("malformedHeaders")
    void rejectsMalformedHeader(String header, int dataLength, String[] fragments) throws IOException {
        assertMalformed(rawFile(header, dataLength), fragments);
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() throws IOException {
        byte[] header = "{\"a\u00e9\":{}}".getBytes(StandardCharsets.ISO_8859_1); // a lone 0xE9 byte
        assertMalformed(rawFile(header, 0), "header is not valid UTF-8", "header byte 3");
        byte[] overlong = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}; // overlong '/'
        assertMalformed(rawFile(overlong, 0), "header is not valid UTF-8", "header byte 2");
        byte[] surrogate = {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'}; // CESU-8 surrogate
        assertMalformed(rawFile(surrogate, 0), "header is not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void rejectsInputShorterThanTheLengthPrefix(int length) throws IOException {
        assertMalformed(new byte[length], "is " + length + " bytes long, shorter than the 8-byte header length prefix");
    }

    @Test
    void rejectsZeroHeaderLength() throws IOException {
        assertMalformed(withLengthPrefix(0, "{}".getBytes(StandardCharsets.UTF_8)), "header length is 0");
    }

    @Test
    void rejectsHeaderLengthJustOverTheLimit() throws IOException {
        assertMalformed(withLengthPrefix(100_000_001, new byte[8]),
                "header length 100000001 exceeds the limit of 100000000 bytes");
    }

    @Test
    void rejectsHugeHeaderLengthWithoutAllocating() throws IOException {
        // 2^62: allocating it would throw OutOfMemoryError or NegativeArraySizeException, not a format error.
        assertMalformed(withLengthPrefix(1L << 62, "{}      ".getBytes(StandardCharsets.UTF_8)),
                "header length 4611686018427387904 exceeds the limit");
        // All ones: 2^64 - 1 as an unsigned integer, -1 as a Java long.
        assertMalformed(withLengthPrefix(-1L, new byte[8]), "header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void rejectsHeaderLengthBeyondTheInput() throws IOException {
        assertMalformed(withLengthPrefix(100, new byte[50]),
                "header length 100 needs 108 bytes including the length prefix, but the input has only 58 bytes");
    }

    @Test
    void rejectsEveryTruncationOfAValidFile() throws IOException {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("w", TensorData.ofFloats(new long[]{2, 2}, new float[]{1, 2, 3, 4}));
        tensors.put("b", TensorData.ofLongs(new long[]{2}, new long[]{5, 6}));
        byte[] valid = SafetensorsWriter.toBytes(tensors, Map.of("k", "v"));
        int headerEnd = 8 + (int) headerLength(valid);
        assertEquals(2, SafetensorsReader.read(valid).size()); // the untruncated file is fine
        for (int cut : new int[]{0, 4, 7, 8, 9, headerEnd / 2, headerEnd - 1}) {
            byte[] truncated = Arrays.copyOf(valid, cut);
            assertMalformed(truncated, cut < 8 ? "shorter than the 8-byte header length prefix" : "(truncated?)");
        }
        // Cut inside the data buffer: the last tensor no longer fits.
        for (int cut : new int[]{headerEnd, headerEnd + 1, headerEnd + 16, valid.length - 1}) {
            assertMalformed(Arrays.copyOf(valid, cut), "extend past the end of the " + (cut - headerEnd) + "-byte data buffer");
        }
    }

    @Test
    void rejectsTrailingBytesAfterAValidFile() throws IOException {
        byte[] valid = SafetensorsWriter.toBytes(Map.of("x", TensorData.ofFloats(new long[]{1}, new float[]{1})), null);
        assertMalformed(Arrays.copyOf(valid, valid.length + 3), "(3 trailing bytes)");
    }

    @Test
    void pathReaderRejectsFilesTooLargeForAnArrayBeforeReadingThem(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("huge.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.write(withLengthPrefix(8, "{}      ".getBytes(StandardCharsets.UTF_8)));
            file.setLength(Integer.MAX_VALUE); // sparse: takes no real disk space
        }
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.read(big));
        assertMessageContains(e, big.toString(), "is 2147483647 bytes long", "files larger than 2147483639 bytes are not supported");
    }

    @Test
    void pathReaderReportsAMissingFileAsAnIoErrorNotAFormatError(@TempDir Path dir) {
        Path missing = dir.resolve("missing.safetensors");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> SafetensorsReader.read(missing));
        assertEquals(missing.toString(), e.getFile());
    }

    @Test
    void acceptsZeroSizedTensorsAndScalars() throws IOException {
        String header = "{" + entry("empty", "F32", "[0,5]", "[0,0]") + "," + entry("scalar", "I64", "[]", "[0,8]")
                + "," + entry("empty2", "U8", "[3,0]", "[8,8]") + "}";
        SafetensorsFile file = SafetensorsReader.read(rawFile(header, 8));
        assertEquals(0, file.get("empty").numElements());
        assertEquals(0, file.get("empty2").numElements());
        assertEquals(1, file.get("scalar").numElements());
        assertArrayEquals(new long[]{0x0706050403020100L}, file.get("scalar").toLongArray());
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
