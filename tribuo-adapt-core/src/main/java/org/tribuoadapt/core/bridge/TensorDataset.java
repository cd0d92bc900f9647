package org.tribuoadapt.core.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A labelled dataset in the dense form a network trains on: all feature values in one float array (example after
 * example, in the {@link FeatureTensorizer}'s layout) and each label as its id in the dataset's output info.
 * Batches are copied out of it into native memory one at a time.
 */
public final class TensorDataset {

    private final float[] features;
    private final int[] labels;
    private final Shape exampleShape;
    private final int width;

    /**
     * Wraps dense data.
     * @param features Values, {@code labels.length * exampleShape.size()} of them.
     * @param labels Label ids.
     * @param exampleShape The shape of one example.
     */
    public TensorDataset(float[] features, int[] labels, Shape exampleShape) {
        this.width = Math.toIntExact(exampleShape.size());
        if ((long) labels.length * width != features.length) {
            throw new IllegalArgumentException(labels.length + " labels need " + (long) labels.length * width
                    + " feature values of shape " + exampleShape + ", found " + features.length);
        }
        this.features = features;
        this.labels = labels;
        this.exampleShape = exampleShape;
    }

    /**
     * Densifies a Tribuo classification dataset, labelling with the dataset's own output ids.
     * @param dataset The dataset.
     * @param tensorizer The layout.
     * @return The dense dataset.
     * @throws IllegalArgumentException if the dataset is empty, or a feature value is not finite.
     */
    public static TensorDataset from(Dataset<Label> dataset, FeatureTensorizer tensorizer) {
        return from(dataset, tensorizer, dataset.getOutputIDInfo());
    }

    /**
     * Densifies examples, labelling them with the ids of a given output info (for example a model's).
     * @param examples The examples.
     * @param tensorizer The layout.
     * @param outputInfo The label ids to use.
     * @return The dense dataset.
     * @throws IllegalArgumentException if there are no examples, a label is unknown, or a value is not finite.
     */
    public static TensorDataset from(Iterable<Example<Label>> examples, FeatureTensorizer tensorizer,
                                     ImmutableOutputInfo<Label> outputInfo) {
        int n = 0;
        for (Example<Label> ignored : examples) {
            n++;
        }
        if (n == 0) {
            throw new IllegalArgumentException("the dataset is empty: a network needs at least one example");
        }
        int width = tensorizer.width();
        float[] features = new float[Math.multiplyExact(n, width)];
        int[] labels = new int[n];
        int i = 0;
        for (Example<Label> example : examples) {
            int id = outputInfo.getID(example.getOutput());
            if (id < 0) {
                throw new IllegalArgumentException("example " + i + " has label '" + example.getOutput().getLabel()
                        + "', which is not one of the known labels " + outputInfo.getDomain());
            }
            labels[i] = id;
            tensorizer.write(example, i, features, i * width);
            i++;
        }
        return new TensorDataset(features, labels, tensorizer.exampleShape());
    }

    /**
     * The number of examples.
     * @return The size.
     */
    public int size() {
        return labels.length;
    }

    /**
     * The shape of one example.
     * @return The shape.
     */
    public Shape exampleShape() {
        return exampleShape;
    }

    /**
     * The label id of example {@code i}.
     * @param i The index.
     * @return The label id.
     */
    public int label(int i) {
        return labels[i];
    }

    /**
     * A copy of the label ids.
     * @return The labels.
     */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Copies the examples at {@code indices} into a feature batch {@code [n, exampleShape...]}.
     * @param manager The memory the batch goes to.
     * @param indices Which examples.
     * @return The feature batch.
     */
    public NDArray features(NDManager manager, int[] indices) {
        float[] batch = new float[indices.length * width];
        for (int j = 0; j < indices.length; j++) {
            System.arraycopy(features, indices[j] * width, batch, j * width, width);
        }
        return manager.create(batch, new Shape(indices.length).addAll(exampleShape));
    }

    /**
     * Copies the labels at {@code indices} into an int64 tensor {@code [n]}.
     * @param manager The memory the batch goes to.
     * @param indices Which examples.
     * @return The label batch.
     */
    public NDArray labels(NDManager manager, int[] indices) {
        long[] batch = new long[indices.length];
        for (int j = 0; j < indices.length; j++) {
            batch[j] = labels[indices[j]];
        }
        return manager.create(batch, new Shape(indices.length));
    }

    /**
     * The same data with another example shape of the same size (for example images read as flat vectors).
     * @param shape The new example shape.
     * @return A dataset sharing this one's arrays.
     */
    public TensorDataset withExampleShape(Shape shape) {
        if (shape.size() != exampleShape.size()) {
            throw new IllegalArgumentException("cannot view examples of shape " + exampleShape + " as " + shape);
        }
        return new TensorDataset(features, labels, shape);
    }

    /**
     * The same examples under other label ids, for example each example's position in the dataset, which
     * self-supervised objectives that keep per-example state use as its id.
     * @param newLabels One id per example.
     * @return A dataset sharing this one's features.
     */
    public TensorDataset withLabels(int[] newLabels) {
        return new TensorDataset(features, newLabels.clone(), exampleShape);
    }

    /**
     * The examples at {@code indices} as a new dataset.
     * @param indices Which examples.
     * @return The subset.
     */
    public TensorDataset subset(int[] indices) {
        float[] f = new float[indices.length * width];
        int[] l = new int[indices.length];
        for (int j = 0; j < indices.length; j++) {
            System.arraycopy(features, indices[j] * width, f, j * width, width);
            l[j] = labels[indices[j]];
        }
        return new TensorDataset(f, l, exampleShape);
    }

    /**
     * Splits off a random validation part.
     * @param fraction The share of examples that go to validation, in (0, 1).
     * @param rng The random stream.
     * @return {training, validation}.
     */
    public TensorDataset[] split(double fraction, SplittableRandom rng) {
        int[] order = permutation(size(), rng);
        int validation = (int) Math.round(size() * fraction);
        if (validation < 1 || validation >= size()) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " of " + size()
                    + " examples leaves no training or no validation examples");
        }
        return new TensorDataset[] {
            subset(Arrays.copyOfRange(order, validation, size())),
            subset(Arrays.copyOfRange(order, 0, validation))
        };
    }

    /**
     * A uniformly random permutation of {@code 0..n-1} (Fisher-Yates).
     * @param n The length.
     * @param rng The random stream.
     * @return The permutation.
     */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }
}
