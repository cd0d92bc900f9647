package org.tribuoadapt.examples.bench.robust;

import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Small Fashion-MNIST-shaped IDX files for the robustness benchmark tests: 28x28 noisy images of a horizontal bar,
 * one bar position per class (three classes).
 */
final class BarImages {

    private BarImages() {}

    /**
     * Writes {@code prefix-images-idx3-ubyte.gz} and {@code prefix-labels-idx1-ubyte.gz}.
     * @param dir The directory.
     * @param prefix {@code train} or {@code t10k}.
     * @param count The number of images; image {@code i} is of class {@code i % 3}.
     * @param seed The noise seed.
     * @throws Exception If the files cannot be written.
     */
    static void write(Path dir, String prefix, int count, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] images = new int[count][28 * 28];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 28 * 28; p++) {
                images[i][p] = rng.nextInt(80) + (p / 28 / 9 == labels[i] ? 120 : 0);
            }
        }
        RobustFixtures.writeIdx(dir, prefix, 28, images, labels);
    }
}
