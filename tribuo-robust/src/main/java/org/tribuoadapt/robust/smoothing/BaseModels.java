package org.tribuoadapt.robust.smoothing;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The checks and bookkeeping shared by the classifiers that combine a standard and a robust base model: loading a
 * base from a Tribuo model file (its SHA-256 goes into the run provenance), requiring the same labels and, for
 * networks differentiated together, the same inputs, and mapping the robust model's label ids onto the standard's.
 * Loading a base and checking a dataset's labels against it also serve other wrappers of a base model (for example
 * {@code robust.translation.CropSelectionTrainer}).
 */
public final class BaseModels {

    /** Provenance key prefix of the standard base model. */
    static final String STANDARD = "standard-model";
    /** Provenance key prefix of the robust base model. */
    static final String ROBUST = "robust-model";

    private BaseModels() {}

    /**
     * Reads a base model from a Tribuo protobuf model file.
     * @param path The file.
     * @param role Which base, for messages ({@link #STANDARD} or {@link #ROBUST}).
     * @param runProvenance Receives {@code role + "-sha256"}, the file's hash.
     * @return The model.
     * @throws IllegalArgumentException if the file holds no classification model.
     */
    public static Model<Label> load(Path path, String role, Map<String, Provenance> runProvenance) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            Model<?> model = Model.deserializeFromStream(new java.io.ByteArrayInputStream(bytes));
            if (!model.validate(Label.class)) {
                throw new IllegalArgumentException("the " + role + " file " + path + " holds a model of "
                        + model.getOutputIDInfo().getDomain().iterator().next().getClass().getSimpleName()
                        + ", expected a Label classifier");
            }
            runProvenance.put(role + "-sha256", new StringProvenance(role + "-sha256", NetworkProvenance.sha256(bytes)));
            return model.castModel(Label.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + role + " from " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a base network model from a Tribuo protobuf model file.
     * @param path The file.
     * @param role Which base.
     * @param runProvenance Receives the file's hash.
     * @return The model.
     * @throws IllegalArgumentException if the file holds another kind of model.
     */
    static NetworkModel loadNetwork(Path path, String role, Map<String, Provenance> runProvenance) {
        Model<Label> model = load(path, role, runProvenance);
        return NetworkModel.require(model, "the " + role + " file " + path);
    }

    /**
     * Requires both models to predict the same labels.
     * @param standard The standard model.
     * @param robust The robust model.
     * @throws IllegalArgumentException listing both label sets.
     */
    static void checkSameLabels(Model<Label> standard, Model<Label> robust) {
        TreeSet<String> a = labelNames(standard.getOutputIDInfo());
        TreeSet<String> b = labelNames(robust.getOutputIDInfo());
        if (!a.equals(b)) {
            throw new IllegalArgumentException("the standard model predicts labels " + a + " but the robust model predicts "
                    + b + "; both base models must predict the same labels");
        }
        if (!standard.generatesProbabilities() || !robust.generatesProbabilities()) {
            throw new IllegalArgumentException("adaptive smoothing mixes probabilities, but the "
                    + (standard.generatesProbabilities() ? "robust" : "standard") + " model does not produce them");
        }
    }

    /**
     * Requires every label of a dataset to be known to a base model.
     * @param dataset The dataset.
     * @param base The base model.
     * @throws IllegalArgumentException if the dataset has a label the model does not predict.
     */
    public static void checkDatasetLabels(org.tribuo.Dataset<Label> dataset, Model<Label> base) {
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("the dataset is empty");
        }
        TreeSet<String> known = labelNames(base.getOutputIDInfo());
        TreeSet<String> found = labelNames(dataset.getOutputIDInfo());
        found.removeAll(known);
        if (!found.isEmpty()) {
            throw new IllegalArgumentException("the dataset has labels " + found + " that the base models do not predict;"
                    + " they predict " + known);
        }
    }

    /**
     * Requires two networks to read the same features in the same input shape, so one tensor feeds both.
     * @param standard The standard model.
     * @param robust The robust model.
     * @throws IllegalArgumentException naming the difference.
     */
    static void checkSameInputs(AbstractNetworkModel standard, AbstractNetworkModel robust) {
        if (!standard.inputShape().equals(robust.inputShape())) {
            throw new IllegalArgumentException("the standard network takes inputs of shape " + standard.inputShape()
                    + " but the robust network takes " + robust.inputShape());
        }
        if (!featureNames(standard.getFeatureIDMap()).equals(featureNames(robust.getFeatureIDMap()))) {
            throw new IllegalArgumentException("the standard and robust networks were trained on different features ("
                    + standard.getFeatureIDMap().size() + " and " + robust.getFeatureIDMap().size()
                    + " features); both must read the same features");
        }
    }

    /**
     * For each label id of {@code target}, the id of the same label in {@code source}.
     * @param target The output info whose order is wanted.
     * @param source The output info to read from.
     * @return The source ids in target order.
     */
    public static int[] columnOrder(ImmutableOutputInfo<Label> target, ImmutableOutputInfo<Label> source) {
        int[] out = new int[target.size()];
        for (int id = 0; id < out.length; id++) {
            out[id] = source.getID(target.getOutput(id));
        }
        return out;
    }

    /**
     * Whether a column order is the identity.
     * @param order The order.
     * @return True if no reordering is needed.
     */
    public static boolean isIdentity(int[] order) {
        for (int i = 0; i < order.length; i++) {
            if (order[i] != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * The union of two models' features, for the combined model's feature domain.
     * @param first One feature map.
     * @param second Another.
     * @return The union.
     */
    static ImmutableFeatureMap union(ImmutableFeatureMap first, ImmutableFeatureMap second) {
        org.tribuo.MutableFeatureMap union = new org.tribuo.MutableFeatureMap();
        for (ImmutableFeatureMap map : List.of(first, second)) {
            for (VariableInfo info : map) {
                if (union.get(info.getName()) == null) {
                    union.add(info.getName(), 1.0);
                }
            }
        }
        return new ImmutableFeatureMap(union);
    }

    /**
     * The provenance entries naming both base models.
     * @param standard The standard model.
     * @param robust The robust model.
     * @return {@link #STANDARD} and {@link #ROBUST} mapped to the models' provenance.
     */
    static Map<String, Provenance> describe(Model<Label> standard, Model<Label> robust) {
        Map<String, Provenance> out = new LinkedHashMap<>();
        out.put(STANDARD, standard.getProvenance());
        out.put(ROBUST, robust.getProvenance());
        return out;
    }

    /**
     * The names of the labels a model or dataset knows.
     * @param info The output info.
     * @return The label names, sorted.
     */
    public static TreeSet<String> labelNames(org.tribuo.OutputInfo<Label> info) {
        TreeSet<String> out = new TreeSet<>();
        for (Label l : info.getDomain()) {
            out.add(l.getLabel());
        }
        return out;
    }

    /**
     * The feature names of a feature map, in id order.
     * @param map The feature map.
     * @return The names.
     */
    public static List<String> featureNames(ImmutableFeatureMap map) {
        List<String> out = new ArrayList<>(map.size());
        for (int id = 0; id < map.size(); id++) {
            out.add(map.get(id).getName());
        }
        return out;
    }
}
