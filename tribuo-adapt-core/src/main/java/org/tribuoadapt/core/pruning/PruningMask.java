package org.tribuoadapt.core.pruning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable pruning mask: for each pruned weight tensor, by its dotted name, which entries are kept (1) and which
 * are pruned to zero (0). Tensors the mask does not name are not pruned. {@link MagnitudePruning} makes masks;
 * {@link PruningTrainer} keeps one fixed while it retrains.
 */
public final class PruningMask {

    private final Map<String, float[]> keep;
    private final long pruned;
    private final long total;

    /**
     * Creates a mask.
     * @param keep For each tensor name, one value per entry in row-major order: 1 to keep the entry, 0 to prune it.
     * @throws IllegalArgumentException if a value is neither 0 nor 1.
     */
    public PruningMask(Map<String, float[]> keep) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        long prunedCount = 0;
        long totalCount = 0;
        for (Map.Entry<String, float[]> e : keep.entrySet()) {
            float[] values = e.getValue().clone();
            for (float v : values) {
                if (v != 0f && v != 1f) {
                    throw new IllegalArgumentException("the mask of '" + e.getKey() + "' holds " + v + "; a mask holds only 0 and 1");
                }
                if (v == 0f) {
                    prunedCount++;
                }
            }
            totalCount += values.length;
            copy.put(e.getKey(), values);
        }
        this.keep = Collections.unmodifiableMap(copy);
        this.pruned = prunedCount;
        this.total = totalCount;
    }

    /**
     * The names of the masked tensors.
     * @return The names, in network order.
     */
    public Set<String> tensorNames() {
        return keep.keySet();
    }

    /**
     * The mask of one tensor.
     * @param name The tensor's dotted name.
     * @return A copy: 1 for a kept entry, 0 for a pruned one.
     * @throws IllegalArgumentException if the mask does not name the tensor.
     */
    public float[] mask(String name) {
        float[] values = keep.get(name);
        if (values == null) {
            throw new IllegalArgumentException("the mask has no tensor '" + name + "'; it masks " + keep.keySet());
        }
        return values.clone();
    }

    /**
     * The number of entries pruned to zero.
     * @return The count over every masked tensor.
     */
    public long prunedCount() {
        return pruned;
    }

    /**
     * The number of entries the mask covers (kept and pruned).
     * @return The count.
     */
    public long totalCount() {
        return total;
    }

    /**
     * The share of the masked entries that are pruned.
     * @return {@code prunedCount / totalCount}, 0 for an empty mask.
     */
    public double prunedShare() {
        return total == 0 ? 0 : (double) pruned / total;
    }

    /**
     * Zeroes the pruned entries of a network's weights in place.
     * @param network The network.
     * @throws IllegalArgumentException if the network lacks a masked tensor or its shape does not fit.
     */
    public void apply(Network network) {
        Map<String, Parameter> parameters = network.parameters();
        check(parameters);
        try (GradientMode ignored = GradientMode.disabled(); NDManager scratch = network.manager().newSubManager()) {
            for (Map.Entry<String, float[]> e : keep.entrySet()) {
                Parameter p = parameters.get(e.getKey());
                p.array().muli(scratch.create(e.getValue(), p.shape()));
            }
        }
    }

    /**
     * Zeroes the gradients of the pruned entries in place, so an optimiser sees no gradient for them.
     * @param parameters The network's parameters by dotted name, as {@link Network#parameters()}.
     * @param manager Where the temporary mask arrays live.
     */
    void maskGradients(Map<String, Parameter> parameters, NDManager manager) {
        try (GradientMode ignored = GradientMode.disabled(); NDManager scratch = manager.newSubManager()) {
            for (Map.Entry<String, float[]> e : keep.entrySet()) {
                Parameter p = parameters.get(e.getKey());
                NDArray gradient = p.array().getGradient();
                gradient.muli(scratch.create(e.getValue(), p.shape()));
            }
        }
    }

    /**
     * A state dict with the pruned entries set to zero; other tensors are passed through.
     * @param stateDict Tensors by dotted name.
     * @return A new map.
     * @throws IllegalArgumentException if a masked tensor is missing or its size does not fit.
     */
    public Map<String, TensorData> apply(Map<String, TensorData> stateDict) {
        Map<String, TensorData> out = new LinkedHashMap<>(stateDict);
        for (Map.Entry<String, float[]> e : keep.entrySet()) {
            TensorData tensor = stateDict.get(e.getKey());
            if (tensor == null || tensor.numElements() != e.getValue().length) {
                throw new IllegalArgumentException("the mask of '" + e.getKey() + "' has " + e.getValue().length
                        + " entries but the weights " + (tensor == null ? "have no such tensor" : "have " + tensor.numElements()));
            }
            float[] values = tensor.toFloatArray();
            for (int i = 0; i < values.length; i++) {
                values[i] *= e.getValue()[i];
            }
            out.put(e.getKey(), TensorData.ofFloats(tensor.shape(), values));
        }
        return out;
    }

    void check(Map<String, Parameter> parameters) {
        for (Map.Entry<String, float[]> e : keep.entrySet()) {
            Parameter p = parameters.get(e.getKey());
            if (p == null || p.size() != e.getValue().length) {
                throw new IllegalArgumentException("the mask of '" + e.getKey() + "' has " + e.getValue().length
                        + " entries but the network " + (p == null ? "has no such parameter" : "has " + p.size()));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PruningMask other) || !other.keep.keySet().equals(keep.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> e : keep.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.keep.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = keep.keySet().hashCode();
        for (float[] values : keep.values()) {
            h = 31 * h + Arrays.hashCode(values);
        }
        return h;
    }

    @Override
    public String toString() {
        return "PruningMask(tensors=" + keep.size() + ",pruned=" + pruned + "/" + total + ")";
    }
}
