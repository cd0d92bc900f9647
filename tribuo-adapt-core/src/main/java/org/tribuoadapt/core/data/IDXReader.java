package org.tribuoadapt.core.data;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;

/**
 * Reads the unsigned byte IDX files used by MNIST and Fashion-MNIST, validating every header value
 * against the data actually present.
 * <p>
 * The format is a 4 byte magic number (two zero bytes, a data type byte and a dimension count byte),
 * one big-endian 32-bit size per dimension, then the data in row-major order. Only the unsigned byte
 * data type (0x08) is supported. Files may be raw or gzip compressed, gzip being detected from the
 * magic bytes 0x1f 0x8b.
 */
final class IDXReader {

    /**
     * The prefix which marks a location as a class path resource.
     */
    static final String CLASSPATH_PREFIX = "classpath:";

    /**
     * The IDX data type byte for unsigned bytes.
     */
    static final int UBYTE_TYPE = 0x08;

    /**
     * The magic number of an unsigned byte IDX file with three dimensions (images).
     */
    static final int IMAGES_MAGIC = 0x00000803;

    /**
     * The magic number of an unsigned byte IDX file with one dimension (labels).
     */
    static final int LABELS_MAGIC = 0x00000801;

    /**
     * The exclusive upper bound on the number of pixels in a single image.
     */
    static final int MAX_PIXELS_PER_IMAGE = 1 << 24;

    /**
     * The largest payload which fits in a Java array.
     */
    private static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8;

    private IDXReader() {}

    /**
     * The validated contents of an IDX image file.
     *
     * @param count  The number of images.
     * @param rows   The number of pixel rows in each image.
     * @param cols   The number of pixel columns in each image.
     * @param pixels The pixel values, image after image, each in row-major order.
     */
    record Images(int count, int rows, int cols, byte[] pixels) {
        /**
         * The number of pixels in a single image.
         *
         * @return rows * cols.
         */
        int pixelsPerImage() {
            return rows * cols;
        }
    }

    /**
     * Reads every byte of a resource, exactly as stored (i.e., still compressed if it is gzipped).
     *
     * @param location A filesystem path, or {@code classpath:} followed by a class path resource name.
     * @return The bytes of the resource.
     * @throws IOException If the resource does not exist or cannot be read.
     */
    static byte[] readResource(String location) throws IOException {
        if (location.startsWith(CLASSPATH_PREFIX)) {
            String resource = location.substring(CLASSPATH_PREFIX.length());
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            try (InputStream stream = openClasspathResource(resource)) {
                if (stream == null) {
                    throw new FileNotFoundException("Class path resource '" + resource + "' not found (location '" + location + "')");
                }
                return stream.readAllBytes();
            }
        } else {
            Path path = Paths.get(location);
            if (!Files.isRegularFile(path)) {
                throw new FileNotFoundException("IDX file '" + location + "' does not exist or is not a regular file");
            }
            try {
                return Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException("IDX file '" + location + "' does not exist");
            }
        }
    }

    /**
     * Opens a class path resource, trying the thread context class loader first and then this class's loader.
     *
     * @param resource The resource name, without a leading slash.
     * @return A stream, or null if neither loader can find the resource.
     */
    private static InputStream openClasspathResource(String resource) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            InputStream stream = context.getResourceAsStream(resource);
            if (stream != null) {
                return stream;
            }
        }
        return IDXReader.class.getClassLoader().getResourceAsStream(resource);
    }

    /**
     * Parses an IDX image file (magic 0x00000803).
     *
     * @param location The location the bytes were read from, used in error messages.
     * @param stored   The stored bytes, raw or gzipped.
     * @return The validated images.
     * @throws IOException If gzip decompression fails.
     */
    static Images parseImages(String location, byte[] stored) throws IOException {
        try (InputStream stream = decompress(location, stored)) {
            int[] header = readHeader(location, stream, IMAGES_MAGIC, 3);
            int count = header[0];
            int rows = header[1];
            int cols = header[2];
            long pixelsPerImage = (long) rows * cols;
            if (pixelsPerImage >= MAX_PIXELS_PER_IMAGE) {
                throw new IllegalStateException("IDX file '" + location + "' declares " + rows + "x" + cols
                        + " images, expected fewer than " + MAX_PIXELS_PER_IMAGE + " pixels per image");
            }
            byte[] pixels = readPayload(location, stream, count * pixelsPerImage, "pixel data");
            return new Images(count, rows, cols, pixels);
        }
    }

    /**
     * Parses an IDX label file (magic 0x00000801).
     *
     * @param location The location the bytes were read from, used in error messages.
     * @param stored   The stored bytes, raw or gzipped.
     * @return The labels, one unsigned byte per example.
     * @throws IOException If gzip decompression fails.
     */
    static byte[] parseLabels(String location, byte[] stored) throws IOException {
        try (InputStream stream = decompress(location, stored)) {
            int[] header = readHeader(location, stream, LABELS_MAGIC, 1);
            return readPayload(location, stream, header[0], "label data");
        }
    }

    /**
     * Wraps the stored bytes in a stream which decompresses them if they start with the gzip magic bytes.
     *
     * @param location The location, used in error messages.
     * @param stored   The stored bytes.
     * @return A stream of the IDX bytes.
     * @throws IOException If the gzip header is invalid.
     */
    private static InputStream decompress(String location, byte[] stored) throws IOException {
        InputStream raw = new ByteArrayInputStream(stored);
        if (stored.length >= 2 && (stored[0] & 0xFF) == 0x1f && (stored[1] & 0xFF) == 0x8b) {
            try {
                return new GZIPInputStream(raw);
            } catch (IOException e) {
                throw new IOException("IDX file '" + location + "' starts with the gzip magic bytes but is not valid gzip", e);
            }
        }
        return raw;
    }

    /**
     * Reads and checks the magic number, then the dimension sizes. The magic number is checked first so that,
     * e.g., a label file passed as an image file is reported as such rather than as a short header.
     *
     * @param location      The location, used in error messages.
     * @param stream        The decompressed stream, positioned at the start.
     * @param expectedMagic The expected magic number.
     * @param numDims       The number of dimensions that magic number implies.
     * @return The dimension sizes, each positive.
     * @throws IOException If the stream fails.
     */
    private static int[] readHeader(String location, InputStream stream, int expectedMagic, int numDims) throws IOException {
        int headerLength = 4 * (numDims + 1);
        byte[] magicBytes = readFully(location, stream, 4);
        if (magicBytes.length == 4) {
            int magic = readInt(magicBytes, 0);
            if (magic != expectedMagic) {
                throw new IllegalStateException("IDX file '" + location + "' has magic number " + hex(magic)
                        + ", expected " + hex(expectedMagic) + describeMagic(magic));
            }
        }
        byte[] header = readFully(location, stream, headerLength - 4);
        if (magicBytes.length + header.length < headerLength) {
            throw new IllegalStateException("IDX file '" + location + "' is too short for its header, expected "
                    + headerLength + " bytes, found " + (magicBytes.length + header.length));
        }
        int[] dims = new int[numDims];
        for (int i = 0; i < numDims; i++) {
            dims[i] = readInt(header, 4 * i);
            if (dims[i] < 1) {
                throw new IllegalStateException("IDX file '" + location + "' has size " + dims[i]
                        + " for dimension " + i + ", expected a positive size");
            }
        }
        return dims;
    }

    /**
     * Explains why a magic number is unacceptable, for the error message.
     *
     * @param magic The magic number found.
     * @return A parenthesised explanation, or the empty string.
     */
    private static String describeMagic(int magic) {
        if ((magic >>> 16) != 0) {
            return " (not an IDX file, the first two bytes must be zero)";
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != UBYTE_TYPE) {
            return " (data type " + String.format("0x%02X", type)
                    + " is not supported, only unsigned byte data (0x08) can be read)";
        }
        return " (found " + (magic & 0xFF) + " dimensions)";
    }

    /**
     * Reads exactly {@code expected} payload bytes, then checks nothing follows them.
     * <p>
     * Memory is only allocated for bytes actually present in the stream, so a header which
     * overstates the data size cannot cause a huge allocation.
     *
     * @param location The location, used in error messages.
     * @param stream   The stream, positioned after the header.
     * @param expected The number of bytes the header implies.
     * @param what     What the payload is, for error messages.
     * @return The payload.
     * @throws IOException If the stream fails.
     */
    private static byte[] readPayload(String location, InputStream stream, long expected, String what) throws IOException {
        if (expected > MAX_PAYLOAD_BYTES) {
            throw new IllegalStateException("IDX file '" + location + "' declares " + expected + " bytes of "
                    + what + ", expected at most " + MAX_PAYLOAD_BYTES);
        }
        byte[] payload = readFully(location, stream, (int) expected);
        if (payload.length < expected) {
            throw new IllegalStateException("IDX file '" + location + "' is truncated: expected " + expected
                    + " bytes of " + what + ", found " + payload.length);
        }
        if (readFully(location, stream, 1).length != 0) {
            throw new IllegalStateException("IDX file '" + location + "' has trailing bytes after the "
                    + expected + " bytes of " + what + " its header declares");
        }
        return payload;
    }

    /**
     * Reads up to {@code length} bytes, fewer only at the end of the stream.
     *
     * @param location The location, used in error messages.
     * @param stream   The stream.
     * @param length   The maximum number of bytes to read.
     * @return The bytes read.
     * @throws IOException If the stream fails, e.g., a corrupt gzip stream.
     */
    private static byte[] readFully(String location, InputStream stream, int length) throws IOException {
        try {
            return stream.readNBytes(length);
        } catch (IOException e) {
            throw new IOException("Failed to read IDX file '" + location + "': " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a big-endian 32-bit integer.
     *
     * @param bytes  The buffer.
     * @param offset The offset of the first byte.
     * @return The integer.
     */
    private static int readInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16)
                | ((bytes[offset + 2] & 0xFF) << 8) | (bytes[offset + 3] & 0xFF);
    }

    /**
     * Formats a magic number as 8 hex digits.
     *
     * @param value The value.
     * @return The value as 0x followed by 8 upper case hex digits.
     */
    private static String hex(int value) {
        return String.format("0x%08X", value);
    }
}
