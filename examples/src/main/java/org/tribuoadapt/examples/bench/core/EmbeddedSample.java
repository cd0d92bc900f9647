package org.tribuoadapt.examples.bench.core;

import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.data.IDXImageDataSource;

import java.io.IOException;
import java.util.List;

/**
 * The embedded Fashion-MNIST sample (8,000 training and 2,000 test images) as the benchmarks read it: checked
 * Tribuo datasets whose classes are named by their ids.
 */
public final class EmbeddedSample {

    private static final String LOCATION = "classpath:org/tribuoadapt/examples/fashion-mnist-sample/";

    private EmbeddedSample() {}

    /**
     * One split of the sample as a data source, for benchmarks that transform the images before loading them.
     * @param prefix {@code train} or {@code t10k}.
     * @param maxPerClass Keep only the first this many images of each class in file order; 0 keeps them all.
     * @return The data source.
     * @throws IOException If the embedded files cannot be read.
     */
    public static IDXImageDataSource source(String prefix, int maxPerClass) throws IOException {
        return new IDXImageDataSource(LOCATION + prefix + "-images-idx3-ubyte.gz", LOCATION + prefix
                + "-labels-idx1-ubyte.gz", List.of(), List.of(), maxPerClass);
    }

    /**
     * Loads one split of the sample.
     * @param prefix {@code train} or {@code t10k}.
     * @param first Keep only the first this many images in file order; 0 keeps them all.
     * @return The dataset.
     * @throws IOException If the embedded files cannot be read.
     */
    public static MutableDataset<Label> load(String prefix, int first) throws IOException {
        MutableDataset<Label> all = CheckedDatasets.load(source(prefix, 0));
        if (first <= 0 || first >= all.size()) {
            return all;
        }
        MutableDataset<Label> kept = new MutableDataset<>(all.getProvenance(), all.getOutputFactory());
        for (int i = 0; i < first; i++) {
            kept.add(all.getExample(i));
        }
        return kept;
    }
}
