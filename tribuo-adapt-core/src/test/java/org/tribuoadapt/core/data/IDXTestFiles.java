package org.tribuoadapt.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small IDX files for the tests, optionally gzipped, with arbitrary (even invalid) headers.
 */
final class IDXTestFiles {

    private IDXTestFiles() {}

    /**
     * Writes an IDX file with the given magic number, dimension sizes and payload.
     *
     * @param path    The file to write.
     * @param gzip    Whether to gzip the file.
     * @param magic   The magic number.
     * @param dims    The dimension sizes, written as is.
     * @param payload The bytes after the header.
     * @return The path.
     * @throws IOException If the write fails.
     */
    static Path write(Path path, boolean gzip, int magic, int[] dims, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4 * (dims.length + 1));
        header.putInt(magic);
        for (int dim : dims) {
            header.putInt(dim);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(header.array());
        bytes.write(payload);
        writeBytes(path, gzip, bytes.toByteArray());
        return path;
    }

    /**
     * Writes a valid unsigned byte image file.
     *
     * @param path   The file to write.
     * @param gzip   Whether to gzip the file.
     * @param rows   The image height.
     * @param cols   The image width.
     * @param pixels The pixels as ints in [0,255], image after image.
     * @return The path.
     * @throws IOException If the write fails.
     */
    static Path images(Path path, boolean gzip, int rows, int cols, int... pixels) throws IOException {
        int count = pixels.length / (rows * cols);
        return write(path, gzip, IDXReader.IMAGES_MAGIC, new int[]{count, rows, cols}, toBytes(pixels));
    }

    /**
     * Writes a valid unsigned byte label file.
     *
     * @param path   The file to write.
     * @param gzip   Whether to gzip the file.
     * @param labels The labels as ints in [0,255].
     * @return The path.
     * @throws IOException If the write fails.
     */
    static Path labels(Path path, boolean gzip, int... labels) throws IOException {
        return write(path, gzip, IDXReader.LABELS_MAGIC, new int[]{labels.length}, toBytes(labels));
    }

    /**
     * Writes bytes to a file, optionally gzipped.
     *
     * @param path  The file.
     * @param gzip  Whether to gzip.
     * @param bytes The uncompressed bytes.
     * @throws IOException If the write fails.
     */
    static void writeBytes(Path path, boolean gzip, byte[] bytes) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(path)) : Files.newOutputStream(path)) {
            out.write(bytes);
        }
    }

    /**
     * Narrows ints in [0,255] to unsigned bytes.
     *
     * @param values The values.
     * @return The bytes.
     */
    static byte[] toBytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
