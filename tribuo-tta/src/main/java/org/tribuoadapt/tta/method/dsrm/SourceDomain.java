package org.tribuoadapt.tta.method.dsrm;

/**
 * The labelled examples of one source domain, as one head is trained on them.
 *
 * @param name The domain's name, e.g. {@code clean} or {@code brightness-3}.
 * @param features {@code labels.length * width} values, example after example.
 * @param labels Label ids.
 * @param width The number of values per example.
 */
public record SourceDomain(String name, float[] features, int[] labels, int width) {

    /**
     * Checks the values.
     * @param name The domain's name.
     * @param features The values.
     * @param labels Label ids.
     * @param width Values per example.
     */
    public SourceDomain {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a source domain needs a name");
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("source domain '" + name + "' has no example");
        }
        if (width < 1 || (long) labels.length * width != features.length) {
            throw new IllegalArgumentException("source domain '" + name + "' has " + labels.length + " labels and "
                    + features.length + " values, which is not " + labels.length + " examples of " + width
                    + " values");
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new IllegalArgumentException("value " + (i % width) + " of example " + (i / width)
                        + " of source domain '" + name + "' is " + features[i]);
            }
        }
    }
}
