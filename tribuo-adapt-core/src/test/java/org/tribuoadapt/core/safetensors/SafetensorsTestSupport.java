package org.tribuoadapt.core.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builders for raw (possibly malformed) safetensors bytes and assertions on the reader's errors.
 */
final class SafetensorsTestSupport {
    private SafetensorsTestSupport() {
    }

    /** A file whose length prefix is {@code headerLength} followed by {@code rest}, with no checks. */
    static byte[] withLengthPrefix(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(headerLength).put(rest).array();
    }

    /** A file with the given header text (UTF-8, unpadded, exact length prefix) and {@code dataLength} data bytes. */
    static byte[] rawFile(String headerJson, int dataLength) {
        return rawFile(headerJson.getBytes(StandardCharsets.UTF_8), dataLength);
    }

    /** A file with the given header bytes (exact length prefix) and {@code dataLength} data bytes valued 0, 1, 2, .... */
    static byte[] rawFile(byte[] header, int dataLength) {
        byte[] rest = new byte[header.length + dataLength];
        System.arraycopy(header, 0, rest, 0, header.length);
        for (int i = 0; i < dataLength; i++) {
            rest[header.length + i] = (byte) i;
        }
        return withLengthPrefix(header.length, rest);
    }

    /**
     * Asserts that both {@link SafetensorsReader#read(byte[])} and, through a temporary file,
     * {@link SafetensorsReader#read(Path)} reject {@code file} with a message containing every
     * fragment, and that the Path variant's message names the file.
     *
     * @return the exception from the byte-array reader.
     */
    static SafetensorsFormatException assertMalformed(byte[] file, String... fragments) throws IOException {
        SafetensorsFormatException fromBytes = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsReader.read(file));
        assertMessageContains(fromBytes, fragments);
        Path temp = Files.createTempFile("malformed", ".safetensors");
        try {
            Files.write(temp, file);
            SafetensorsFormatException fromPath = assertThrows(SafetensorsFormatException.class,
                    () -> SafetensorsReader.read(temp));
            assertMessageContains(fromPath, fragments);
            assertTrue(fromPath.getMessage().contains(temp.toString()),
                    () -> "message should name the file " + temp + ": " + fromPath.getMessage());
            assertEquals(fromBytes.getMessage().replaceFirst("^safetensors data: ", ""),
                    fromPath.getMessage().replace("safetensors file '" + temp + "': ", ""),
                    "both readers should report the same problem");
        } finally {
            Files.delete(temp);
        }
        return fromBytes;
    }

    static void assertMessageContains(Throwable e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                    () -> "message should contain \"" + fragment + "\" but was: " + e.getMessage());
        }
    }
}
