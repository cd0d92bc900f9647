package org.tribuoadapt.core.testing;

import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small labelled image datasets for tests: class {@code k} of {@code classes} is a bright horizontal bar on row
 * {@code 1 + k * (size - 2) / classes} (with a little jitter) over uniform noise, so a network can learn it in a few
 * steps. Pixels are named {@code px000...} so that Tribuo's feature ids follow pixel order.
 */
public final class SyntheticImages {

    private SyntheticImages() {}

    /**
     * Creates a dataset of square grayscale images.
     * @param examples How many examples.
     * @param classes How many classes (labels "c0", "c1", ...).
     * @param size Image height and width.
     * @param seed The seed.
     * @return The dataset.
     */
    public static MutableDataset<Label> dataset(int examples, int classes, int size, long seed) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic-bars-" + examples + "-" + classes + "-" + size + "-" + seed, factory),
                factory);
        for (Example<Label> e : examples(examples, classes, size, seed)) {
            dataset.add(e);
        }
        return dataset;
    }

    /**
     * Creates the examples of {@link #dataset}.
     * @param examples How many examples.
     * @param classes How many classes.
     * @param size Image height and width.
     * @param seed The seed.
     * @return The examples.
     */
    public static List<Example<Label>> examples(int examples, int classes, int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] names = featureNames(size * size);
        List<Example<Label>> out = new ArrayList<>(examples);
        for (int i = 0; i < examples; i++) {
            int k = i % classes;
            double[] pixels = new double[size * size];
            int row = 1 + k * (size - 2) / classes + (rng.nextInt(3) == 0 ? 1 : 0);
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = rng.nextDouble() * 0.3;
            }
            for (int c = 0; c < size; c++) {
                pixels[Math.min(size - 1, row) * size + c] = 0.7 + rng.nextDouble() * 0.3;
            }
            out.add(new ArrayExample<>(new Label("c" + k), names, pixels));
        }
        return out;
    }

    /**
     * Zero-padded pixel names.
     * @param count How many.
     * @return {@code px000, px001, ...}.
     */
    public static String[] featureNames(int count) {
        int width = Integer.toString(count - 1).length();
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            names[i] = "px" + String.format("%0" + width + "d", i);
        }
        return names;
    }
}
