package org.tribuoadapt.examples.bench.peft;

import ai.djl.ndarray.types.Shape;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.data.IDXImageDataSource;
import org.tribuoadapt.core.data.IDXTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST (or any 28x28 MNIST-format data) for the benchmark as dense tensors, through
 * {@link IDXImageDataSource}: the first examples of the training split in file order (as the PyTorch peer takes them),
 * or the training and test examples of some classes.
 */
final class BenchmarkData {

    /** The shape of one image. */
    static final Shape IMAGE = new Shape(1, 28, 28);

    private BenchmarkData() {}

    private static IDXImageDataSource source(Path directory, boolean train, List<Integer> classes, int perClass)
            throws IOException {
        String prefix = train ? "train" : "t10k";
        checkFiles(directory, prefix);
        return new IDXImageDataSource(directory.resolve(prefix + "-images-idx3-ubyte.gz").toString(),
                directory.resolve(prefix + "-labels-idx1-ubyte.gz").toString(), List.of(), classes, perClass);
    }

    private static void checkFiles(Path directory, String prefix) throws IOException {
        Path images = directory.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = directory.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IOException("no Fashion-MNIST files " + images.getFileName() + " and " + labels.getFileName() + " in "
                    + directory + "; install Debian's dataset-fashion-mnist or pass --data DIR");
        }
    }

    /**
     * The first examples of the training split, all classes.
     * @param directory The folder of the IDX files.
     * @param count How many examples.
     * @param shape The shape of one example the network reads ({@code [784]} for an MLP, {@code [1, 28, 28]} for a CNN).
     * @return The data.
     * @throws IOException if the files are missing or corrupt.
     */
    static TensorDataset firstTrainingExamples(Path directory, int count, Shape shape) throws IOException {
        checkFiles(directory, "train");
        return IDXTensors.load(directory.resolve("train-images-idx3-ubyte.gz").toString(),
                directory.resolve("train-labels-idx1-ubyte.gz").toString(), count).withExampleShape(shape);
    }

    /**
     * The training and test examples of some classes, labelled with the training data's label ids.
     * @param directory The folder of the IDX files.
     * @param classes The classes to keep.
     * @param perClass At most this many training examples per class (the first in file order), or 0 for all.
     * @param shape The shape of one example the network reads ({@code [1, 28, 28]} for a CNN, {@code [784]} for a
     * sequence Transformer).
     * @return The training and the test data.
     * @throws IOException if the files are missing or corrupt.
     */
    static TensorDataset[] classes(Path directory, List<Integer> classes, int perClass, Shape shape) throws IOException {
        MutableDataset<Label> train = new MutableDataset<>(source(directory, true, classes, perClass));
        FeatureTensorizer tensorizer = new FeatureTensorizer(train.getFeatureIDMap(), IMAGE);
        return new TensorDataset[] {TensorDataset.from(train, tensorizer).withExampleShape(shape),
            TensorDataset.from(source(directory, false, classes, 0), tensorizer, train.getOutputIDInfo())
                    .withExampleShape(shape)};
    }
}
