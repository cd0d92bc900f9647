package org.tribuoadapt.peft;

import org.tribuo.Example;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.testing.SyntheticImages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Writes {@link SyntheticImages} bar images of 10 classes as a gzipped MNIST-format (IDX) image file and label file,
 * so that tests can use {@code IDXImageDataSource} and the benchmark's loaders.
 */
public final class SyntheticIdxFiles {

    private SyntheticIdxFiles() {}

    /**
     * Writes the two files.
     * @param images The image file.
     * @param labels The label file.
     * @param examples How many images.
     * @param size Their height and width.
     * @param seed The seed.
     * @throws IOException if the files cannot be written.
     */
    public static void write(Path images, Path labels, int examples, int size, long seed) throws IOException {
        List<Example<Label>> data = SyntheticImages.examples(examples, 10, size, seed);
        ByteBuffer pixels = ByteBuffer.allocate(16 + examples * size * size).putInt(0x803).putInt(examples).putInt(size).putInt(size);
        ByteBuffer ids = ByteBuffer.allocate(8 + examples).putInt(0x801).putInt(examples);
        for (Example<Label> e : data) {
            e.forEach(f -> pixels.put((byte) Math.round(f.getValue() * 255)));
            ids.put((byte) Integer.parseInt(e.getOutput().getLabel().substring(1)));
        }
        gzip(images, pixels.array());
        gzip(labels, ids.array());
    }

    private static void gzip(Path path, byte[] bytes) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(buffer)) {
            out.write(bytes);
        }
        Files.write(path, buffer.toByteArray());
    }
}
