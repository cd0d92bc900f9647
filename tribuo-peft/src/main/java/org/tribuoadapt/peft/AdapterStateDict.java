package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One adapter's state dict in a {@link PeftNetwork}: its parameters under PEFT's names, as
 * {@code adapter_model.safetensors} holds them ({@code base_model.model.<layer>.<tensor>} for module tensors and
 * modules to save, {@code base_model.<tensor>} for shared tensors), read out and loaded back with every name and shape
 * checked.
 */
final class AdapterStateDict {

    private final PeftNetwork peft;
    private final String name;

    /**
     * Views an adapter's state dict.
     * @param peft The network.
     * @param name The adapter.
     * @throws IllegalArgumentException listing the adapters if the network has no adapter of that name.
     */
    AdapterStateDict(PeftNetwork peft, String name) {
        peft.spec(name);
        this.peft = peft;
        this.name = name;
    }

    /** The tensors to save: shared tensors only when the spec saves them. */
    Map<String, TensorData> tensors() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : parameters(peft.spec(name).savesSharedTensors()).entrySet()) {
            out.put(e.getKey(), Network.toTensorData(e.getValue().array()));
        }
        return out;
    }

    private Map<String, Parameter> parameters(boolean withShared) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        if (withShared) {
            for (Map.Entry<String, Parameter> s : peft.sharedTensors(name).entrySet()) {
                out.put(PeftNetwork.TUNER_PREFIX + s.getKey(), s.getValue());
            }
        }
        for (Map.Entry<String, AdapterModule> m : peft.modules(name).entrySet()) {
            for (Map.Entry<String, Parameter> t : m.getValue().peftTensors().entrySet()) {
                out.put(PeftNetwork.MODEL_PREFIX + m.getKey() + "." + t.getKey(), t.getValue());
            }
        }
        for (String path : peft.modulesToSave(name)) {
            Layer copy = ((ModulesToSaveLayer) peft.network().layer(path)).copies().get(name);
            for (Map.Entry<String, Parameter> p : copy.parameters().entrySet()) {
                out.put(PeftNetwork.MODEL_PREFIX + path + "." + p.getKey(), p.getValue());
            }
        }
        return out;
    }

    /**
     * Checks and loads tensors; shared tensors may be absent.
     * @param tensors Tensors by PEFT key.
     * @throws IllegalArgumentException naming the module and both shapes on a shape mismatch, or listing missing and
     * unexpected tensors; nothing is changed when the check fails.
     */
    void load(Map<String, TensorData> tensors) {
        Map<String, Parameter> expected = parameters(true);
        List<String> problems = new ArrayList<>();
        TreeSet<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(expected.keySet());
        if (!unexpected.isEmpty()) {
            problems.add("the file has tensors " + unexpected + " that adapter '" + name + "' on this network does not have"
                    + " (its tensors are " + expected.keySet() + "); was it trained on another base network?");
        }
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(tensors.keySet());
        for (String key : peft.sharedTensors(name).keySet()) {
            missing.remove(PeftNetwork.TUNER_PREFIX + key);
        }
        if (!missing.isEmpty()) {
            problems.add("the file lacks tensors " + missing);
        }
        for (Map.Entry<String, TensorData> t : tensors.entrySet()) {
            Parameter p = expected.get(t.getKey());
            if (p != null && !Arrays.equals(p.shape().getShape(), t.getValue().shape())) {
                problems.add("tensor '" + t.getKey() + "' has shape " + Arrays.toString(t.getValue().shape()) + " but "
                        + describeOwner(t.getKey()) + " needs " + Arrays.toString(p.shape().getShape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load adapter '" + name + "': " + String.join("; ", problems));
        }
        try (GradientMode ignored = GradientMode.disabled(); NDManager scratch = peft.network().manager().newSubManager()) {
            for (Map.Entry<String, TensorData> t : tensors.entrySet()) {
                Parameter p = expected.get(t.getKey());
                Shape shape = p.shape();
                NDArray value = p.array().getDataType() == DataType.INT64
                        ? scratch.create(t.getValue().toLongArray(), shape)
                        : scratch.create(t.getValue().toFloatArray(), shape);
                p.copyFrom(value);
            }
        }
    }

    private String describeOwner(String key) {
        if (!key.startsWith(PeftNetwork.MODEL_PREFIX)) {
            return "the shared tensor";
        }
        String rest = key.substring(PeftNetwork.MODEL_PREFIX.length());
        Map<String, Layer> baseLayers = peft.baseLayers();
        String owner = null;
        for (String path : baseLayers.keySet()) {
            if (rest.startsWith(path + ".") && (owner == null || path.length() > owner.length())) {
                owner = path;
            }
        }
        return owner == null ? "the network" : "module '" + owner + "' (" + baseLayers.get(owner).describe() + ")";
    }
}
