package org.tribuoadapt.core.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.VariableInfo;

import java.util.List;

/**
 * Turns Tribuo examples into dense float tensors for a network. The position of each feature is its id in the
 * {@link ImmutableFeatureMap} (ids follow the sorted feature names), so the same map always gives the same layout;
 * with an image shape {@code [C, H, W]} the ids are read in row-major order. Features the map does not know are
 * ignored, as everywhere in Tribuo; missing ones are zero.
 */
public final class FeatureTensorizer {

    private final ImmutableFeatureMap featureMap;
    private final Shape exampleShape;
    private final int width;

    /**
     * Creates a tensorizer.
     * @param featureMap The feature map of the training data.
     * @param exampleShape The network's input shape for one example.
     * @throws IllegalArgumentException naming both sides when the feature count does not fill the shape.
     */
    public FeatureTensorizer(ImmutableFeatureMap featureMap, Shape exampleShape) {
        if (featureMap.size() != exampleShape.size()) {
            throw new IllegalArgumentException("the dataset has " + featureMap.size() + " features but the network expects "
                    + describe(exampleShape) + " = " + exampleShape.size() + " input values");
        }
        this.featureMap = featureMap;
        this.exampleShape = exampleShape;
        this.width = featureMap.size();
    }

    private static String describe(Shape shape) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.dimension(); i++) {
            b.append(i == 0 ? "" : "x").append(shape.get(i));
        }
        return b.toString();
    }

    /**
     * The number of values per example.
     * @return The flat width.
     */
    public int width() {
        return width;
    }

    /**
     * The shape of one example.
     * @return The example shape.
     */
    public Shape exampleShape() {
        return exampleShape;
    }

    /**
     * Why a feature value cannot be a network input, which is float32.
     * @param value The value.
     * @return {@code null} when it can; otherwise the reason, as a clause to follow the value in a message.
     */
    public static String unusableValue(double value) {
        if (!Double.isFinite(value)) {
            return "which is not a finite number";
        }
        if (Math.abs(value) > Float.MAX_VALUE) {
            return "beyond the float32 range (+-" + Float.MAX_VALUE + ") networks compute in";
        }
        return null;
    }

    /**
     * Writes one example's dense values into {@code target} at {@code offset}.
     * @param example The example.
     * @param index The example's position, for error messages.
     * @param target The destination.
     * @param offset Where its first value goes.
     * @throws IllegalArgumentException if a value is NaN, infinite or beyond the float32 range, or no feature is
     * known to the map.
     */
    public void write(Example<?> example, int index, float[] target, int offset) {
        int known = 0;
        for (Feature f : example) {
            VariableInfo info = featureMap.get(f.getName());
            if (info == null) {
                continue;
            }
            double value = f.getValue();
            String problem = unusableValue(value);
            if (problem != null) {
                throw new IllegalArgumentException("example " + index + " has the value " + value + " for feature '"
                        + f.getName() + "', " + problem);
            }
            target[offset + ((org.tribuo.VariableIDInfo) info).getID()] = (float) value;
            known++;
        }
        if (known == 0 && example.size() > 0) {
            throw new IllegalArgumentException("example " + index + " shares no feature with the model's "
                    + width + " features (its first feature is '" + example.iterator().next().getName() + "')");
        }
    }

    /**
     * Densifies a list of examples.
     * @param examples The examples.
     * @return Their values, example after example.
     */
    public float[] toArray(List<? extends Example<?>> examples) {
        float[] out = new float[examples.size() * width];
        for (int i = 0; i < examples.size(); i++) {
            write(examples.get(i), i, out, i * width);
        }
        return out;
    }

    /**
     * Densifies a list of examples into a batch tensor {@code [N, exampleShape...]}.
     * @param manager The memory the batch goes to.
     * @param examples The examples.
     * @return The batch.
     */
    public NDArray toBatch(NDManager manager, List<? extends Example<?>> examples) {
        return manager.create(toArray(examples), batchShape(examples.size()));
    }

    /**
     * The shape of a batch of {@code n} examples.
     * @param n The batch size.
     * @return {@code [n, exampleShape...]}.
     */
    public Shape batchShape(int n) {
        return new Shape(n).addAll(exampleShape);
    }
}
