package org.tribuoadapt.tta.method;

import org.tribuoadapt.core.bridge.TensorDataset;

import java.util.Optional;

/**
 * What an adaptation session may know besides the test inputs: the stream's batch size and length, and
 * optionally samples of the source (training) distribution: EATA uses their inputs for its Fisher regulariser,
 * label-shift EM their labels to calibrate its posteriors, and CAFA their labels for its class-conditional source
 * statistics. Each of these is computed before the first test batch, as the papers do before deployment.
 *
 * @param batchSize The stream's batch size.
 * @param streamLength The number of examples in the stream.
 * @param sourceSamples Source-distribution inputs in the model's feature order, or null.
 */
public record AdaptationContext(int batchSize, long streamLength, TensorDataset sourceSamples) {

    /**
     * Checks the values.
     * @param batchSize The stream's batch size.
     * @param streamLength The number of examples in the stream.
     * @param sourceSamples Source-distribution inputs, or null.
     */
    public AdaptationContext {
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, found " + batchSize);
        }
        if (streamLength < 0) {
            throw new IllegalArgumentException("the stream length must be >= 0, found " + streamLength);
        }
    }

    /**
     * The source samples, if the run has any.
     * @return The samples.
     */
    public Optional<TensorDataset> source() {
        return Optional.ofNullable(sourceSamples);
    }
}
