package org.tribuoadapt.core.bridge;

import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.FeatureMap;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.VariableInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Refuses to predict a dense dataset whose feature space is not the model's. A network reads a fixed-width tensor:
 * Tribuo's sparse convention (an absent feature is zero, an unknown one is ignored) would turn 14x14 images fed to a
 * 28x28 model into a silently wrong accuracy. When every example of a dataset carries all of the dataset's features
 * (images, tables: dense data), its feature names must be exactly the model's. Sparse data (examples that carry only
 * some of the dataset's features, such as one-hot categories) keeps Tribuo's convention.
 */
public final class FeatureSpaceCheck {

    private static final int NAMES_SHOWN = 3;

    private FeatureSpaceCheck() {}

    /**
     * Checks a dataset against a model's features.
     * @param model The model's feature map.
     * @param data The data to predict.
     * @throws IllegalArgumentException naming both feature spaces when the data is dense and its features differ from
     * the model's.
     */
    public static void requireMatch(ImmutableFeatureMap model, Dataset<?> data) {
        FeatureMap dataFeatures = data.getFeatureMap();
        if (!isDense(data, dataFeatures.size())) {
            return;
        }
        TreeSet<String> unknown = new TreeSet<>();
        for (VariableInfo info : dataFeatures) {
            if (model.get(info.getName()) == null) {
                unknown.add(info.getName());
            }
        }
        TreeSet<String> missing = new TreeSet<>();
        for (VariableInfo info : model) {
            if (dataFeatures.get(info.getName()) == null) {
                missing.add(info.getName());
            }
        }
        if (unknown.isEmpty() && missing.isEmpty()) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " of the model's features never occur in the data (" + sample(missing) + ")");
        }
        if (!unknown.isEmpty()) {
            problems.add(unknown.size() + " of the data's features are unknown to the model (" + sample(unknown) + ")");
        }
        throw new IllegalArgumentException("the data's features do not match the model's: the data has "
                + dataFeatures.size() + " features (" + sample(new TreeSet<>(names(dataFeatures))) + "), the model "
                + model.size() + " (" + sample(new TreeSet<>(names(model))) + "); " + String.join(", and ", problems)
                + ". Was the data prepared like the training data (image size, columns)?");
    }

    private static boolean isDense(Dataset<?> data, int featureCount) {
        if (data.size() == 0) {
            return false;
        }
        for (Example<?> example : data) {
            if (example.size() != featureCount) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(FeatureMap map) {
        List<String> names = new ArrayList<>(map.size());
        for (VariableInfo info : map) {
            names.add(info.getName());
        }
        return names;
    }

    private static String sample(TreeSet<String> names) {
        if (names.size() <= NAMES_SHOWN) {
            return String.join(", ", names);
        }
        List<String> first = new ArrayList<>(names).subList(0, NAMES_SHOWN - 1);
        return String.join(", ", first) + ", ... " + names.last();
    }
}
