package org.tribuoadapt.robust.weightspace;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.classification.Label;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.impl.TimestampedTrainerProvenance;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the weight-space tools share: the check that two network models have one architecture (the same spec,
 * parameters, features and label order), and building a new {@link NetworkModel} from combined weights with
 * provenance that names its ingredients. Such models were not trained, so, as Tribuo does for ensembles built from
 * existing models, their trainer provenance is a {@link TimestampedTrainerProvenance}.
 */
final class WeightModels {

    private WeightModels() {}

    /**
     * Requires two models to share one architecture, so their weights can be combined.
     * @param reference The model others are compared with.
     * @param other Another model.
     * @param what How to name {@code other} in messages, e.g. {@code soup ingredient 2}.
     * @throws IllegalArgumentException naming the difference.
     */
    static void checkSameArchitecture(NetworkModel reference, NetworkModel other, String what) {
        if (!reference.spec().getProvenance().equals(other.spec().getProvenance())) {
            throw new IllegalArgumentException(what + " has architecture " + other.spec() + " but the first model has "
                    + reference.spec() + "; weights can only be combined across models of one architecture");
        }
        if (!labelOrder(reference).equals(labelOrder(other))) {
            throw new IllegalArgumentException(what + " orders its labels " + labelOrder(other) + " but the first model "
                    + labelOrder(reference) + "; weights can only be combined when the label ids agree");
        }
        if (!featureOrder(reference.getFeatureIDMap()).equals(featureOrder(other.getFeatureIDMap()))) {
            throw new IllegalArgumentException(what + " was trained on other features than the first model ("
                    + other.getFeatureIDMap().size() + " and " + reference.getFeatureIDMap().size() + " features)");
        }
        Map<String, TensorData> a = reference.stateDict();
        Map<String, TensorData> b = other.stateDict();
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalArgumentException(what + " has parameters " + b.keySet() + " but the first model has "
                    + a.keySet());
        }
        for (Map.Entry<String, TensorData> e : a.entrySet()) {
            if (!Arrays.equals(e.getValue().shape(), b.get(e.getKey()).shape())) {
                throw new IllegalArgumentException(what + " has parameter '" + e.getKey() + "' of shape "
                        + Arrays.toString(b.get(e.getKey()).shape()) + " but the first model's is "
                        + Arrays.toString(e.getValue().shape()));
            }
        }
    }

    /**
     * Builds a network model with the architecture, features and labels of {@code template} and new weights.
     * @param template The model whose architecture and domains are reused.
     * @param weights The weights, by PyTorch name.
     * @param name The new model's name.
     * @param data The data provenance to record.
     * @param instance The run provenance naming the ingredients; the weights' SHA-256 is added.
     * @return The model.
     */
    static NetworkModel build(NetworkModel template, Map<String, TensorData> weights, String name, DatasetProvenance data,
                              Map<String, Provenance> instance) {
        byte[] bytes = SafetensorsWriter.toBytes(weights, Map.of("format", "pt"));
        Map<String, Provenance> all = new LinkedHashMap<>(instance);
        all.putAll(NetworkProvenance.describeWeights(bytes));
        ModelProvenance provenance = new ModelProvenance(NetworkModel.class.getName(), OffsetDateTime.now(), data,
                new TimestampedTrainerProvenance(), all);
        return new NetworkModel(name, provenance, template.getFeatureIDMap(), template.getOutputIDInfo(), template.spec(),
                bytes, null);
    }

    private static java.util.List<String> labelOrder(NetworkModel model) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
            Label l = model.getOutputIDInfo().getOutput(id);
            out.add(l.getLabel());
        }
        return out;
    }

    private static java.util.List<String> featureOrder(ImmutableFeatureMap map) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int id = 0; id < map.size(); id++) {
            out.add(map.get(id).getName());
        }
        return out;
    }
}
