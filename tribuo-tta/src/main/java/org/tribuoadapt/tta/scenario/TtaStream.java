package org.tribuoadapt.tta.scenario;

import org.tribuo.provenance.DataProvenance;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A shifted test stream built by a {@link ShiftScenario} for one model: its domains, the order their examples are
 * seen in, and the cut into batches. Replaying it any number of times gives the same batches, so every
 * adaptation method is measured on the same examples in the same order.
 */
public final class TtaStream {

    private final StreamMode mode;
    private final List<ShiftDomain> domains;
    private final int width;
    private final int numClasses;
    private final int[] domainOf;
    private final int[] exampleOf;
    private final int[] batchStarts;
    private final boolean[] resets;
    private final List<DataProvenance> sources;

    /**
     * Creates a stream.
     * @param mode How domains follow each other.
     * @param domains The domains.
     * @param width The number of features per example.
     * @param numClasses The number of labels of the model.
     * @param domainOf The domain of each stream position.
     * @param exampleOf The example (within its domain) of each stream position.
     * @param batchStarts The first position of each batch, increasing, starting at 0.
     * @param resets Whether the model is reset before each batch.
     * @param sources The provenance of the data the domains come from.
     */
    TtaStream(StreamMode mode, List<ShiftDomain> domains, int width, int numClasses, int[] domainOf, int[] exampleOf,
              int[] batchStarts, boolean[] resets, List<DataProvenance> sources) {
        this.mode = mode;
        this.domains = List.copyOf(domains);
        this.width = width;
        this.numClasses = numClasses;
        this.domainOf = domainOf;
        this.exampleOf = exampleOf;
        this.batchStarts = batchStarts;
        this.resets = resets;
        this.sources = List.copyOf(sources);
    }

    /**
     * How domains follow each other.
     * @return The mode.
     */
    public StreamMode mode() {
        return mode;
    }

    /**
     * The domains, in stream order (for mixed streams, in the order they were listed).
     * @return The domains.
     */
    public List<ShiftDomain> domains() {
        return domains;
    }

    /**
     * The number of features per example.
     * @return The width.
     */
    public int width() {
        return width;
    }

    /**
     * The number of labels of the model the stream was built for.
     * @return The label count.
     */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The number of examples in the stream.
     * @return The length.
     */
    public int size() {
        return domainOf.length;
    }

    /**
     * The number of batches.
     * @return The batch count.
     */
    public int numBatches() {
        return batchStarts.length;
    }

    /**
     * The provenance of the data the domains were built from (the clean test set, or the replayed files).
     * @return The provenances.
     */
    public List<DataProvenance> sources() {
        return sources;
    }

    /**
     * The batches, in order. Each iteration copies the features afresh.
     * @return The batches.
     */
    public Iterable<StreamBatch> batches() {
        return () -> new Iterator<>() {
            private int next = 0;

            @Override
            public boolean hasNext() {
                return next < batchStarts.length;
            }

            @Override
            public StreamBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return batch(next++);
            }
        };
    }

    /**
     * One batch.
     * @param b The batch index.
     * @return The batch.
     */
    public StreamBatch batch(int b) {
        int from = batchStarts[b];
        int to = b + 1 < batchStarts.length ? batchStarts[b + 1] : domainOf.length;
        int n = to - from;
        float[] features = new float[n * width];
        int[] labels = new int[n];
        int[] domainIds = new int[n];
        for (int i = 0; i < n; i++) {
            ShiftDomain domain = domains.get(domainOf[from + i]);
            domain.copyExample(exampleOf[from + i], features, i * width);
            labels[i] = domain.label(exampleOf[from + i]);
            domainIds[i] = domainOf[from + i];
        }
        return new StreamBatch(b, features, labels, domainIds, resets[b]);
    }
}
