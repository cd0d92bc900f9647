package org.tribuoadapt.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests that {@link IDXImageDataSource} rejects malformed IDX files with messages naming the problem.
 */
public class IDXMalformedFileTest {

    @TempDir
    Path dir;

    private Path validImages(boolean gzip) throws IOException {
        return IDXTestFiles.images(dir.resolve("good-images"), gzip, 2, 2, new int[6 * 4]);
    }

    private Path validLabels(boolean gzip) throws IOException {
        return IDXTestFiles.labels(dir.resolve("good-labels"), gzip, 0, 1, 2, 0, 1, 2);
    }

    private Path badImages(boolean gzip, int magic, int[] dims, byte[] payload) throws IOException {
        return IDXTestFiles.write(dir.resolve("bad-images"), gzip, magic, dims, payload);
    }

    private Path badLabels(boolean gzip, int magic, int[] dims, byte[] payload) throws IOException {
        return IDXTestFiles.write(dir.resolve("bad-labels"), gzip, magic, dims, payload);
    }

    private static <E extends Exception> void assertFails(Class<E> type, Path images, Path labels, String... fragments) {
        E e = assertThrows(type, () -> new IDXImageDataSource(images.toString(), labels.toString()));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        }
    }

    private void assertImagesRejected(Path images, String... fragments) throws IOException {
        assertFails(IllegalStateException.class, images, validLabels(true), fragments);
    }

    private void assertLabelsRejected(Path labels, String... fragments) throws IOException {
        assertFails(IllegalStateException.class, validImages(true), labels, fragments);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    public void wrongMagicNumbers(boolean gzip) throws IOException {
        assertImagesRejected(badImages(gzip, IDXReader.LABELS_MAGIC, new int[]{6}, new byte[6]),
                "bad-images", "magic number 0x00000801, expected 0x00000803", "found 1 dimensions");
        assertLabelsRejected(badLabels(gzip, IDXReader.IMAGES_MAGIC, new int[]{6, 2, 2}, new byte[24]),
                "bad-labels", "magic number 0x00000803, expected 0x00000801");
        assertImagesRejected(badImages(gzip, 0x504B0304, new int[]{6, 2, 2}, new byte[24]),
                "magic number 0x504B0304", "not an IDX file");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x09, 0x0B, 0x0C, 0x0D, 0x0E})
    public void nonUnsignedByteDataIsRejected(int dataType) throws IOException {
        int magic = (dataType << 8) | 3;
        assertImagesRejected(badImages(true, magic, new int[]{6, 2, 2}, new byte[24]),
                String.format("data type 0x%02X is not supported", dataType), "unsigned byte data (0x08)");
        assertLabelsRejected(badLabels(true, (dataType << 8) | 1, new int[]{6}, new byte[6]),
                String.format("data type 0x%02X is not supported", dataType));
    }

    @Test
    public void nonPositiveSizesAreRejected() throws IOException {
        assertImagesRejected(badImages(true, IDXReader.IMAGES_MAGIC, new int[]{6, 0, 2}, new byte[0]),
                "size 0 for dimension 1, expected a positive size");
        assertImagesRejected(badImages(false, IDXReader.IMAGES_MAGIC, new int[]{-1, 2, 2}, new byte[24]),
                "size -1 for dimension 0, expected a positive size");
        assertLabelsRejected(badLabels(true, IDXReader.LABELS_MAGIC, new int[]{0}, new byte[0]),
                "size 0 for dimension 0");
    }

    @Test
    public void hugeImagesAreRejected() throws IOException {
        assertImagesRejected(badImages(true, IDXReader.IMAGES_MAGIC, new int[]{1, 4096, 4096}, new byte[16]),
                "4096x4096 images", "fewer than 16777216 pixels per image");
        assertImagesRejected(badImages(true, IDXReader.IMAGES_MAGIC, new int[]{1, 65536, 65536}, new byte[16]),
                "fewer than 16777216 pixels per image");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    public void truncatedDataIsDetected(boolean gzip) throws IOException {
        assertImagesRejected(badImages(gzip, IDXReader.IMAGES_MAGIC, new int[]{6, 2, 2}, new byte[22]),
                "truncated", "expected 24 bytes of pixel data, found 22");
        assertLabelsRejected(badLabels(gzip, IDXReader.LABELS_MAGIC, new int[]{6}, new byte[4]),
                "expected 6 bytes of label data, found 4");
    }

    @Test
    public void overstatedCountsDoNotAllocate() throws IOException {
        // 1,000,000 28x28 images declared, one present: the reader must not allocate 784 MB up front.
        assertImagesRejected(badImages(true, IDXReader.IMAGES_MAGIC, new int[]{1_000_000, 28, 28}, new byte[784]),
                "expected 784000000 bytes of pixel data, found 784");
        assertImagesRejected(badImages(false, IDXReader.IMAGES_MAGIC, new int[]{Integer.MAX_VALUE, 28, 28}, new byte[784]),
                "declares " + (784L * Integer.MAX_VALUE) + " bytes of pixel data");
        assertLabelsRejected(badLabels(true, IDXReader.LABELS_MAGIC, new int[]{2_000_000_000}, new byte[6]),
                "expected 2000000000 bytes of label data, found 6");
    }

    @Test
    public void shortHeadersAreDetected() throws IOException {
        Path images = dir.resolve("short-images");
        IDXTestFiles.writeBytes(images, false, new byte[]{0, 0, 8, 3, 0, 0, 0});
        assertImagesRejected(images, "too short for its header, expected 16 bytes, found 7");
        Path empty = dir.resolve("empty-labels");
        IDXTestFiles.writeBytes(empty, true, new byte[0]);
        assertLabelsRejected(empty, "too short for its header, expected 8 bytes, found 0");
    }

    @Test
    public void trailingBytesAreDetected() throws IOException {
        assertImagesRejected(badImages(true, IDXReader.IMAGES_MAGIC, new int[]{6, 2, 2}, new byte[25]),
                "trailing bytes after the 24 bytes of pixel data");
    }

    @Test
    public void corruptGzipIsAnIOException() throws IOException {
        Path garbage = dir.resolve("garbage-images.gz");
        Files.write(garbage, new byte[]{0x1f, (byte) 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertFails(IOException.class, garbage, validLabels(true), "garbage-images.gz");

        byte[] whole = Files.readAllBytes(validImages(true));
        Path cut = dir.resolve("cut-images.gz");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 12));
        assertFails(IOException.class, cut, validLabels(false), "cut-images.gz");
    }
}
