package org.tribuoadapt.examples.bench.core;

import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.data.CheckedDatasets;
import org.tribuoadapt.core.data.IDXImageDataSource;

import java.io.IOException;

/**
 * The embedded Fashion-MNIST sample (8,000 training and 2,000 test images) as the benchmarks read it: checked
 * Tribuo datasets whose classes are named by their ids.
 */
public final class EmbeddedSample {

    private static final String LOCATION = "classpath:org/tribuoadapt/examples/fashion-mnist-sample/";

    private EmbeddedSample() {}

    /**
     * Loads one split of the sample.
     * @param prefix {@code train} or {@code t10k}.
     * @param first Keep only the first this many images in file order; 0 keeps them all.
     * @return The dataset.
     * @throws IOException If the embedded files cannot be read.
     */
    public static MutableDataset<Label> load(String prefix, int first) throws IOException {
        MutableDataset<Label> all = CheckedDatasets.load(new IDXImageDataSource(LOCATION + prefix + "-images-idx3-ubyte.gz",
                LOCATION + prefix + "-labels-idx1-ubyte.gz"));
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
