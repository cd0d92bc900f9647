package org.tribuoadapt.core.data;

import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.bridge.TensorDataset;

import java.io.IOException;

/**
 * Reads IDX image and label files straight into a dense {@link TensorDataset} ({@code [1, rows, cols]} images
 * scaled to [0, 1], labels as their raw values), without building Tribuo examples. Benchmarks use it to load the
 * full Fashion-MNIST quickly; Tribuo users should use {@link IDXImageDataSource}.
 */
public final class IDXTensors {

    private IDXTensors() {}

    /**
     * Loads the first {@code limit} examples.
     * @param imagesLocation The image file (path or {@code classpath:} resource), raw or gzipped.
     * @param labelsLocation The label file.
     * @param limit How many examples to keep from the start of the files; 0 keeps all.
     * @return The dense data.
     * @throws IOException if a file cannot be read or is malformed.
     */
    public static TensorDataset load(String imagesLocation, String labelsLocation, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, found " + limit);
        }
        IDXReader.Images images = IDXReader.parseImages(imagesLocation, IDXReader.readResource(imagesLocation));
        byte[] labels = IDXReader.parseLabels(labelsLocation, IDXReader.readResource(labelsLocation));
        if (labels.length != images.count()) {
            throw new IllegalStateException(imagesLocation + " has " + images.count() + " images but " + labelsLocation
                    + " has " + labels.length + " labels");
        }
        int n = limit == 0 ? images.count() : Math.min(limit, images.count());
        int pixels = images.rows() * images.cols();
        float[] features = new float[n * pixels];
        int[] ids = new int[n];
        byte[] raw = images.pixels();
        for (int i = 0; i < n * pixels; i++) {
            features[i] = (raw[i] & 0xff) / 255f;
        }
        for (int i = 0; i < n; i++) {
            ids[i] = labels[i] & 0xff;
        }
        return new TensorDataset(features, ids, new Shape(1, images.rows(), images.cols()));
    }
}
