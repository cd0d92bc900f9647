package org.tribuoadapt.robust.testing;

import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.adversarial.AdversarialObjective;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

/**
 * Small data and models shared by the robust module's tests: 8x8 three-class images with a robust and a non-robust
 * feature (see {@link #barsAndStripes}), a tiny CNN trained on them without any defence and one trained
 * adversarially. Models are trained once per JVM; every seed goes through {@link TestSeeds}.
 */
public final class RobustFixtures {

    /** Image side. */
    public static final int SIZE = 8;
    /** Classes. */
    public static final int CLASSES = 3;

    private static MutableDataset<Label> train;
    private static MutableDataset<Label> test;
    private static NetworkModel standard;
    private static NetworkModel robust;

    private RobustFixtures() {}

    /**
     * The tiny CNN architecture.
     * @return A 1x8x8 CNN with channels 4, 8, BatchNorm, pool 2 and a 16-unit hidden layer.
     */
    public static CNNSpec cnn() {
        return new CNNSpec(1, SIZE, SIZE, new int[] {4, 8}, true, 2, new int[] {16});
    }

    /**
     * Training data.
     * @return 600 examples.
     */
    public static synchronized MutableDataset<Label> train() {
        if (train == null) {
            train = barsAndStripes(600, TestSeeds.of(11));
        }
        return train;
    }

    /**
     * Test data.
     * @return 90 examples.
     */
    public static synchronized MutableDataset<Label> test() {
        if (test == null) {
            test = barsAndStripes(90, TestSeeds.of(12));
        }
        return test;
    }

    /**
     * Images with a robust feature that is not always right and a non-robust feature that is, after the model of
     * Tsipras et al. (2019, section 2.1). Every pixel is uniform noise in [0.35, 0.45]. Class {@code k} brightens by
     * 0.04 the diagonal stripes {@code (row + column) % 3 == k}: a faint texture that names the class in every image
     * but that any Linf perturbation of 0.05 erases and redraws for another class. It also brightens one row by 0.2,
     * row {@code 1 + 2k} in 90% of the images and another class's row in the rest: a bar that no Linf perturbation of
     * 0.05 can move. An undefended network reads the stripes, so it is accurate on clean images and fooled by almost
     * every attack at Linf 0.05; a network trained adversarially at that budget reads the bar and keeps about 90% of
     * the images under the same attack.
     * @param examples How many examples.
     * @param seed The seed.
     * @return The dataset.
     */
    public static MutableDataset<Label> barsAndStripes(int examples, long seed) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("bars-and-stripes-" + examples + "-" + seed, factory), factory);
        SplittableRandom rng = new SplittableRandom(seed);
        String[] names = SyntheticImages.featureNames(SIZE * SIZE);
        for (int i = 0; i < examples; i++) {
            dataset.add(new ArrayExample<>(new Label("c" + i % CLASSES), names, barAndStripes(i % CLASSES, rng)));
        }
        return dataset;
    }

    /**
     * The images of {@link #barsAndStripes} as a configurable data source, so that datasets and models built on it
     * can be rebuilt from their provenance: the images are written (rounded to bytes) as an MNIST-format pair of
     * gzipped IDX files and read back with class names {@code c0, c1, c2}.
     * @param dir The folder for the files.
     * @param prefix The files' name prefix.
     * @param examples How many examples.
     * @param seed The seed.
     * @return The data source.
     * @throws IOException if the files cannot be written.
     */
    public static IDXImageDataSource barsAndStripesSource(Path dir, String prefix, int examples, long seed)
            throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] images = new int[examples][];
        int[] labels = new int[examples];
        for (int i = 0; i < examples; i++) {
            labels[i] = i % CLASSES;
            images[i] = Arrays.stream(barAndStripes(labels[i], rng)).mapToInt(p -> (int) Math.round(255 * p)).toArray();
        }
        writeIdx(dir, prefix, SIZE, images, labels);
        List<String> classes = IntStream.range(0, CLASSES).mapToObj(k -> "c" + k).toList();
        return new IDXImageDataSource(dir.resolve(prefix + "-images-idx3-ubyte.gz").toString(),
                dir.resolve(prefix + "-labels-idx1-ubyte.gz").toString(), classes, List.of(), 0);
    }

    /**
     * Writes an MNIST-format pair of gzipped IDX files, {@code <prefix>-images-idx3-ubyte.gz} and
     * {@code <prefix>-labels-idx1-ubyte.gz}.
     * @param dir The folder.
     * @param prefix The files' name prefix.
     * @param size The images' height and width.
     * @param images The pixels of each image in [0, 255], row after row.
     * @param labels The label of each image.
     * @throws IOException if the files cannot be written.
     */
    public static void writeIdx(Path dir, String prefix, int size, int[][] images, int[] labels) throws IOException {
        try (DataOutputStream imageOut = new DataOutputStream(new GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))));
             DataOutputStream labelOut = new DataOutputStream(new GZIPOutputStream(
                     Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))))) {
            imageOut.writeInt(0x00000803);
            imageOut.writeInt(images.length);
            imageOut.writeInt(size);
            imageOut.writeInt(size);
            labelOut.writeInt(0x00000801);
            labelOut.writeInt(labels.length);
            for (int i = 0; i < images.length; i++) {
                for (int pixel : images[i]) {
                    imageOut.writeByte(pixel);
                }
                labelOut.writeByte(labels[i]);
            }
        }
    }

    /** One image of class {@code k}, as {@link #barsAndStripes} describes. */
    private static double[] barAndStripes(int k, SplittableRandom rng) {
        double[] pixels = new double[SIZE * SIZE];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = 0.35 + 0.1 * rng.nextDouble() + ((p / SIZE + p % SIZE) % CLASSES == k ? 0.04 : 0);
        }
        int bar = rng.nextDouble() < 0.9 ? k : (k + 1 + rng.nextInt(CLASSES - 1)) % CLASSES;
        for (int c = 0; c < SIZE; c++) {
            pixels[(1 + 2 * bar) * SIZE + c] += 0.2;
        }
        return pixels;
    }

    /**
     * An undefended CNN trained on {@link #train()}.
     * @return The model.
     */
    public static synchronized NetworkModel standard() {
        if (standard == null) {
            standard = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 8, 32, TestSeeds.of(7)).train(train());
        }
        return standard;
    }

    /**
     * A CNN adversarially trained on {@link #train()} with PGD-2 at Linf 0.05: enough to redraw the stripes, too
     * little to move the bar.
     * @return The model.
     */
    public static synchronized NetworkModel robust() {
        if (robust == null) {
            robust = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 8, 32, TestSeeds.of(3))
                    .withObjective(new AdversarialObjective(new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1)))
                    .train(train());
        }
        return robust;
    }
}
