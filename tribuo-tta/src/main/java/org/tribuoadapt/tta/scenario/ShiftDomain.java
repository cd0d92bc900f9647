package org.tribuoadapt.tta.scenario;

import java.util.function.Supplier;

/**
 * One domain of a shifted test stream: a named set of labelled examples, for example the test set under
 * {@code fog} at severity 3, or one replayed file. Its features are produced on first use and then kept, so every
 * method replayed over a stream sees the same examples without recomputing the shift.
 */
public final class ShiftDomain {

    private final String name;
    private final String shift;
    private final int severity;
    private final int[] labels;
    private final int width;
    private final Supplier<float[]> generator;
    private volatile float[] features;

    /**
     * Creates a domain.
     * @param name A unique name, e.g. {@code fog-3}.
     * @param shift The kind of shift, e.g. the corruption name, or {@code file}.
     * @param severity The severity, 1 to 5, or 0 when it is unknown.
     * @param labels The label ids of the examples, in the model's output ids.
     * @param width The number of feature values per example.
     * @param generator Produces the features, {@code labels.length * width} values, example after example.
     */
    public ShiftDomain(String name, String shift, int severity, int[] labels, int width, Supplier<float[]> generator) {
        this.name = name;
        this.shift = shift;
        this.severity = severity;
        this.labels = labels.clone();
        this.width = width;
        this.generator = generator;
    }

    /**
     * The domain's name.
     * @return The name.
     */
    public String name() {
        return name;
    }

    /**
     * The kind of shift (the corruption name, or {@code file} for a replayed set).
     * @return The shift.
     */
    public String shift() {
        return shift;
    }

    /**
     * The severity, 1 to 5, or 0 when unknown.
     * @return The severity.
     */
    public int severity() {
        return severity;
    }

    /**
     * The number of examples.
     * @return The size.
     */
    public int size() {
        return labels.length;
    }

    /**
     * The label id of an example.
     * @param i The example.
     * @return Its label id.
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
     * Copies one example's features.
     * @param i The example.
     * @param target The destination.
     * @param offset Where its first value goes.
     */
    public void copyExample(int i, float[] target, int offset) {
        System.arraycopy(features(), i * width, target, offset, width);
    }

    private float[] features() {
        float[] f = features;
        if (f == null) {
            synchronized (this) {
                f = features;
                if (f == null) {
                    f = generator.get();
                    if (f.length != (long) labels.length * width) {
                        throw new IllegalStateException("domain '" + name + "' produced " + f.length + " values for "
                                + labels.length + " examples of " + width + " features");
                    }
                    features = f;
                }
            }
        }
        return f;
    }

    @Override
    public String toString() {
        return name + "(" + labels.length + " examples)";
    }
}
