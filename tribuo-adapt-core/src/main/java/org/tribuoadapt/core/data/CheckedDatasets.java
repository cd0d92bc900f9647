package org.tribuoadapt.core.data;

import org.tribuo.DataSource;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuoadapt.core.bridge.FeatureTensorizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a data source into a dataset, refusing values a network cannot use, with the source, the example and the
 * feature named. Tribuo itself refuses a NaN only when the example is added, with a message that names neither the
 * file nor the row, and accepts values such as 1e308 that become infinite as float32, the precision networks compute
 * in. The dataset is the one {@code new MutableDataset<>(source)} builds: same examples, provenance and output factory.
 */
public final class CheckedDatasets {

    private static final int MAX_SOURCE_CHARS = 200;

    private CheckedDatasets() {}

    /**
     * Reads every example of a source and checks it.
     * @param source The data source.
     * @param <T> The output type.
     * @return The dataset.
     * @throws IllegalArgumentException naming the source, the example's position and the feature when a value is NaN,
     * infinite or beyond the float32 range, or when an example has duplicate or no features.
     */
    public static <T extends Output<T>> MutableDataset<T> load(DataSource<T> source) {
        List<Example<T>> examples = new ArrayList<>();
        int index = 0;
        for (Example<T> example : source) {
            check(example, index, source);
            examples.add(example);
            index++;
        }
        return new MutableDataset<>(examples, source.getProvenance(), source.getOutputFactory());
    }

    private static void check(Example<?> example, int index, DataSource<?> source) {
        for (Feature feature : example) {
            String problem = FeatureTensorizer.unusableValue(feature.getValue());
            if (problem != null) {
                throw new IllegalArgumentException(where(index, source) + ": feature '" + feature.getName()
                        + "' has the value " + feature.getValue() + ", " + problem);
            }
        }
        if (!example.validateExample()) {
            throw new IllegalArgumentException(where(index, source) + " has duplicate feature names or no features ("
                    + example.size() + " features)");
        }
    }

    private static String where(int index, DataSource<?> source) {
        // Tribuo's file-backed sources describe themselves with their path; others are named by their provenance
        String name = overridesToString(source) ? source.toString() : source.getProvenance().toString();
        if (name.length() > MAX_SOURCE_CHARS) {
            name = name.substring(0, MAX_SOURCE_CHARS) + "...";
        }
        return "example " + index + " (counting from 0) of " + name;
    }

    private static boolean overridesToString(Object o) {
        try {
            return o.getClass().getMethod("toString").getDeclaringClass() != Object.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
