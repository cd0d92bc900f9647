package org.tribuoadapt.core.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads safetensors files, validating everything before trusting it.
 * <p>
 * Sizes claimed by the header are checked against the real input size before any buffer is
 * allocated for them, so a lying header cannot cause a huge allocation. Every malformed input
 * raises a {@link SafetensorsFormatException} whose message says what is wrong and, for files,
 * names the file. The tensors of the result are in header order.
 */
public final class SafetensorsReader {
    /** The largest header length accepted, in bytes (the limit of the reference implementation). */
    public static final int MAX_HEADER_LENGTH = SafetensorsHeader.MAX_HEADER_LENGTH;
    /** The largest file accepted, in bytes: the largest Java array. */
    public static final long MAX_FILE_SIZE = Shapes.MAX_ARRAY_LENGTH;

    private static final String BYTES_SOURCE = "safetensors data";

    /** Reads {@code length} bytes of the data buffer starting at {@code begin}. */
    @FunctionalInterface
    private interface DataSource<E extends Exception> {
        byte[] read(long begin, int length) throws E;
    }

    private SafetensorsReader() {
    }

    /**
     * Reads safetensors data held in memory.
     *
     * @param bytes the complete contents of a safetensors file; not modified or retained.
     * @return the tensors and metadata.
     * @throws SafetensorsFormatException if the data is malformed.
     */
    public static SafetensorsFile read(byte[] bytes) throws SafetensorsFormatException {
        Objects.requireNonNull(bytes, "bytes must not be null");
        SafetensorsHeader.checkHasLengthPrefix(bytes.length, BYTES_SOURCE);
        int headerLength = SafetensorsHeader.checkedHeaderLength(bytes, bytes.length, BYTES_SOURCE);
        int dataStart = SafetensorsHeader.LENGTH_PREFIX_BYTES + headerLength;
        SafetensorsHeader header = SafetensorsHeader.parse(bytes, SafetensorsHeader.LENGTH_PREFIX_BYTES, headerLength,
                bytes.length - dataStart, BYTES_SOURCE);
        return toFile(header, (begin, length) -> {
            int from = Math.toIntExact(dataStart + begin);
            return Arrays.copyOfRange(bytes, from, from + length);
        });
    }

    /**
     * Reads a safetensors file. The file size is checked first, then the header length, and only
     * then is the header read; each tensor is read into its own array.
     *
     * @param path the file.
     * @return the tensors and metadata.
     * @throws SafetensorsFormatException if the file is malformed or larger than
     *                                    {@link #MAX_FILE_SIZE}; the message names the file.
     * @throws IOException                if the file cannot be read.
     */
    public static SafetensorsFile read(Path path) throws IOException {
        Objects.requireNonNull(path, "path must not be null");
        String source = "safetensors file '" + path + "'";
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            SafetensorsHeader.checkHasLengthPrefix(size, source);
            if (size > MAX_FILE_SIZE) {
                throw SafetensorsHeader.error(source, "is " + size + " bytes long; files larger than "
                        + MAX_FILE_SIZE + " bytes are not supported");
            }
            byte[] prefix = readFully(channel, 0, SafetensorsHeader.LENGTH_PREFIX_BYTES, source);
            int headerLength = SafetensorsHeader.checkedHeaderLength(prefix, size, source);
            byte[] headerBytes = readFully(channel, SafetensorsHeader.LENGTH_PREFIX_BYTES, headerLength, source);
            long dataStart = (long) SafetensorsHeader.LENGTH_PREFIX_BYTES + headerLength;
            SafetensorsHeader header = SafetensorsHeader.parse(headerBytes, 0, headerLength, size - dataStart, source);
            return toFile(header, (begin, length) -> readFully(channel, dataStart + begin, length, source));
        }
    }

    private static <E extends Exception> SafetensorsFile toFile(SafetensorsHeader header, DataSource<E> data) throws E {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (SafetensorsHeader.Entry entry : header.entries()) {
            // The header has checked that end - begin is the tensor's byte count and lies in the buffer.
            byte[] bytes = data.read(entry.begin(), Math.toIntExact(entry.end() - entry.begin()));
            tensors.put(entry.name(), TensorData.wrapValidated(entry.dtype(), entry.shape(), bytes));
        }
        return new SafetensorsFile(tensors, header.metadata());
    }

    private static byte[] readFully(FileChannel channel, long position, int length, String source) throws IOException {
        byte[] bytes = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw SafetensorsHeader.error(source, "ended after " + (position + buffer.position())
                        + " bytes while reading bytes [" + position + ", " + (position + length)
                        + "); was it truncated while being read?");
            }
        }
        return bytes;
    }
}
