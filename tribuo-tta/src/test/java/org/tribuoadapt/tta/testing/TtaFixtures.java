package org.tribuoadapt.tta.testing;

import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Small models and data shared by the module's tests: 8x8 synthetic bar images of 3 classes, a tiny CNN with
 * BatchNorm and an MLP without any normalisation layer, each trained once per JVM. Every seed goes through
 * {@link TestSeeds}.
 */
public final class TtaFixtures {

    /** Image side length. */
    public static final int SIZE = 8;
    /** Number of classes. */
    public static final int CLASSES = 3;

    /** Fashion-MNIST's image side length. */
    public static final int FASHION_SIZE = 28;

    private static NetworkModel cnn;
    private static NetworkModel mlp;

    private TtaFixtures() {}

    /**
     * Training data.
     * @return 300 examples.
     */
    public static MutableDataset<Label> train() {
        return SyntheticImages.dataset(300, CLASSES, SIZE, TestSeeds.of(1));
    }

    /**
     * Clean test data.
     * @param examples How many.
     * @return The data.
     */
    public static MutableDataset<Label> test(int examples) {
        return SyntheticImages.dataset(examples, CLASSES, SIZE, TestSeeds.of(2));
    }

    /**
     * A CNN (conv 4, conv 8, BatchNorm, pooling, hidden 16) trained on {@link #train()}.
     * @return The model.
     */
    public static synchronized NetworkModel cnn() {
        if (cnn == null) {
            CNNSpec spec = new CNNSpec(1, SIZE, SIZE, new int[] {4, 8}, true, 2, new int[] {16});
            cnn = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 4, 32, TestSeeds.of(7)).train(train());
        }
        return cnn;
    }

    /**
     * An MLP with no normalisation layer, trained on {@link #train()}.
     * @return The model.
     */
    public static synchronized NetworkModel mlp() {
        if (mlp == null) {
            MLPSpec spec = new MLPSpec(SIZE * SIZE, new int[] {16}, Activation.RELU, 0.0);
            mlp = new NetworkTrainer(spec, new AdamOptimiserFactory(0.01), 3, 32, TestSeeds.of(7)).train(train());
        }
        return mlp;
    }

    /**
     * Test inputs shifted by a corruption, in the fixture models' feature order.
     * @param n How many examples.
     * @param corruption The corruption name.
     * @param severity The severity.
     * @return {@code n * 64} values.
     */
    public static float[] shiftedInputs(int n, String corruption, int severity) {
        CorruptionScenario scenario = new CorruptionScenario(List.of(corruption), List.of(severity), SIZE, SIZE,
                StreamMode.RESET, n, 0.0, 0, TestSeeds.of(5));
        NetworkModel model = cnn();
        return scenario.open(test(n), model.getFeatureIDMap(), model.getOutputIDInfo()).batch(0).features();
    }

    /**
     * 28x28 images that look like Fashion-MNIST: a black background and one bright, textured garment-like shape
     * (a rounded rectangle with sleeves or an ellipse) whose size, position and brightness vary.
     * @param count How many.
     * @param seed The seed.
     * @return The images, pixel values in [0, 1] in multiples of 1/255.
     */
    public static List<float[]> garments(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<float[]> out = new ArrayList<>();
        int n = FASHION_SIZE;
        for (int k = 0; k < count; k++) {
            float[] image = new float[n * n];
            double cx = 13.5 + rng.nextDouble(-2, 2);
            double cy = 13.5 + rng.nextDouble(-2, 2);
            double halfW = 6 + rng.nextDouble(4);
            double halfH = 7 + rng.nextDouble(5);
            double brightness = 0.5 + rng.nextDouble(0.45);
            boolean ellipse = rng.nextBoolean();
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    double dx = (x - cx) / halfW;
                    double dy = (y - cy) / halfH;
                    boolean inside = ellipse ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1
                            || (Math.abs(dy + 0.6) < 0.25 && Math.abs(dx) <= 1.6);
                    if (inside) {
                        double texture = 0.15 * Math.sin(x * 1.3 + k) * Math.cos(y * 0.9) + rng.nextDouble(-0.08, 0.08);
                        double v = Math.min(1, Math.max(0, brightness + texture));
                        image[y * n + x] = Math.round(v * 255) / 255f;
                    }
                }
            }
            out.add(image);
        }
        return out;
    }

    /**
     * Writes images and labels as gzipped IDX files (MNIST format).
     * @param dir The folder.
     * @param prefix The file prefix, e.g. {@code train} gives {@code train-images-idx3-ubyte.gz}.
     * @param images Square images with values in [0, 1].
     * @param labels One label (0-255) per image.
     * @throws IOException If the files cannot be written.
     */
    public static void writeIdx(Path dir, String prefix, List<float[]> images, int[] labels) throws IOException {
        int side = (int) Math.round(Math.sqrt(images.get(0).length));
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))))) {
            out.writeInt(0x00000803);
            out.writeInt(images.size());
            out.writeInt(side);
            out.writeInt(side);
            for (float[] image : images) {
                for (float v : image) {
                    out.writeByte(Math.round(v * 255));
                }
            }
        }
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
                Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))))) {
            out.writeInt(0x00000801);
            out.writeInt(labels.length);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
    }
}
