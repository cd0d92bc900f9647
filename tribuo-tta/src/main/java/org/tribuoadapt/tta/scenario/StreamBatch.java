package org.tribuoadapt.tta.scenario;

/**
 * One batch of a shifted test stream: features in the model's feature-id order, the true label ids (for scoring
 * only; adaptation methods never see them) and the domain of each example.
 *
 * @param index The batch's position in the stream, from 0.
 * @param features {@code size * width} values, example after example.
 * @param labels The label ids.
 * @param domains The index of each example's domain in the stream's domain list.
 * @param resetBefore Whether the adapted model is reset to the source model before this batch (the first batch
 * of every domain after the first in a {@link StreamMode#RESET} stream).
 */
public record StreamBatch(int index, float[] features, int[] labels, int[] domains, boolean resetBefore) {

    /**
     * The number of examples.
     * @return The batch size.
     */
    public int size() {
        return labels.length;
    }
}
