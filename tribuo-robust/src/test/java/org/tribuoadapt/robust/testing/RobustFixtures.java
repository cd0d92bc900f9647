package org.tribuoadapt.robust.testing;

import org.tribuo.MutableDataset;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.adversarial.AdversarialTrainer;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.PGDAttack;

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
 * Small data and models shared by the robust module's tests: 8x8 three-class faint-bar images and a tiny CNN trained on
 * them without any defence. Models are trained once per JVM.
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
     * @return 300 examples.
     */
    public static synchronized MutableDataset<Label> train() {
        if (train == null) {
            train = faintBars(300, 11);
        }
        return train;
    }

    /**
     * Test data.
     * @return 90 examples.
     */
    public static synchronized MutableDataset<Label> test() {
        if (test == null) {
            test = faintBars(90, 12);
        }
        return test;
    }

    /**
     * Low-contrast bar images: class {@code k} brightens row {@code 1 + 2k} by 0.2 over uniform noise in
     * [0.2, 0.6], so an undefended network is accurate on clean images but easy to fool within Linf 0.1.
     * @param examples How many examples.
     * @param seed The seed.
     * @return The dataset.
     */
    public static MutableDataset<Label> faintBars(int examples, long seed) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("faint-bars-" + examples + "-" + seed, factory), factory);
        SplittableRandom rng = new SplittableRandom(seed);
        String[] names = SyntheticImages.featureNames(SIZE * SIZE);
        for (int i = 0; i < examples; i++) {
            dataset.add(new ArrayExample<>(new Label("c" + i % CLASSES), names, faintBar(i % CLASSES, rng)));
        }
        return dataset;
    }

    /**
     * The faint-bar images of {@link #faintBars} as a configurable data source, so that datasets and models built on
     * it can be rebuilt from their provenance: the images are written (rounded to bytes) as an MNIST-format pair of
     * gzipped IDX files and read back with class names {@code c0, c1, c2}.
     * @param dir The folder for the files.
     * @param prefix The files' name prefix.
     * @param examples How many examples.
     * @param seed The seed.
     * @return The data source.
     * @throws IOException if the files cannot be written.
     */
    public static IDXImageDataSource faintBarsSource(Path dir, String prefix, int examples, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] images = new int[examples][];
        int[] labels = new int[examples];
        for (int i = 0; i < examples; i++) {
            labels[i] = i % CLASSES;
            images[i] = Arrays.stream(faintBar(labels[i], rng)).mapToInt(p -> (int) Math.round(255 * p)).toArray();
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

    /** One faint-bar image of class {@code k}: noise in [0.2, 0.6], row {@code 1 + 2k} brightened by 0.2. */
    private static double[] faintBar(int k, SplittableRandom rng) {
        double[] pixels = new double[SIZE * SIZE];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = 0.2 + 0.4 * rng.nextDouble();
        }
        for (int c = 0; c < SIZE; c++) {
            pixels[(1 + 2 * k) * SIZE + c] += 0.2;
        }
        return pixels;
    }

    /**
     * An undefended CNN trained on {@link #train()}.
     * @return The model.
     */
    public static synchronized NetworkModel standard() {
        if (standard == null) {
            standard = new NetworkTrainer(cnn(), new AdamOptimiserFactory(0.01), 5, 32, 7L).train(train());
        }
        return standard;
    }

    /**
     * A CNN adversarially trained on {@link #train()} with PGD-2 at Linf 0.05 (a small budget: the faint bars
     * differ by only 0.2).
     * @return The model.
     */
    public static synchronized NetworkModel robust() {
        if (robust == null) {
            robust = new AdversarialTrainer(cnn(), new AdamOptimiserFactory(0.01),
                    new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1), 8, 32, 3L).train(train());
        }
        return robust;
    }
}
