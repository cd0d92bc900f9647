package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer that adapters train fully (PEFT's {@code ModulesToSaveWrapper}): the frozen original as child
 * {@value #ORIGINAL} and one trainable copy per adapter that saves it, as a child named after the adapter. The
 * forward pass uses the copy of the first active adapter that has one, or the original when adapters are disabled or
 * no active adapter has a copy.
 */
public final class ModulesToSaveLayer extends LayerWrapper {

    /** The child name of the frozen original, as in PEFT. */
    public static final String ORIGINAL = "original_module";

    private final Layer original;
    private final Map<String, Layer> copies = new LinkedHashMap<>();
    private Layer current;

    private ModulesToSaveLayer(Layer original) {
        this.original = original;
        this.current = original;
    }

    /**
     * Wraps a layer of a network in place: the wrapper takes the layer's path and the layer becomes its child
     * {@value #ORIGINAL}.
     * @param network The network.
     * @param path The layer's path.
     * @return The wrapper, without copies yet.
     */
    static ModulesToSaveLayer install(Network network, String path) {
        return install(network, path, new ModulesToSaveLayer(network.layer(path)), ORIGINAL);
    }

    /**
     * A wrapper of the same layer holding every copy but one, to put in this one's place.
     * @param adapterName The adapter whose copy is left out.
     * @return The new wrapper.
     */
    ModulesToSaveLayer without(String adapterName) {
        ModulesToSaveLayer rebuilt = new ModulesToSaveLayer(original);
        rebuilt.attach(ORIGINAL, original);
        for (Map.Entry<String, Layer> c : copies.entrySet()) {
            if (!c.getKey().equals(adapterName)) {
                rebuilt.addCopy(c.getKey(), c.getValue());
            }
        }
        return rebuilt;
    }

    /** @return The frozen original. */
    public Layer original() {
        return original;
    }

    /**
     * Adds an adapter's trainable copy.
     * @param adapterName The adapter's name; it becomes the child's name.
     * @param copy The copy.
     */
    public void addCopy(String adapterName, Layer copy) {
        attach(adapterName, copy);
        copies.put(adapterName, copy);
    }

    /**
     * The adapters' copies.
     * @return An unmodifiable map from adapter name to copy.
     */
    public Map<String, Layer> copies() {
        return Collections.unmodifiableMap(copies);
    }

    /**
     * Selects the copy that runs.
     * @param activeAdapters The active adapters, in order.
     * @param enabled False to run the original.
     */
    public void select(List<String> activeAdapters, boolean enabled) {
        current = original;
        if (enabled) {
            for (String name : activeAdapters) {
                Layer copy = copies.get(name);
                if (copy != null) {
                    current = copy;
                    return;
                }
            }
        }
    }

    /** @return The layer the forward pass uses. */
    public Layer current() {
        return current;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return current.apply(input, context);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return current.outputShape(inputShape);
    }

    @Override
    public String describe() {
        return "ModulesToSave(" + original.describe() + ", copies " + copies.keySet() + ")";
    }
}
