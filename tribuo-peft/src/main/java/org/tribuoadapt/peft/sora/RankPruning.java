package org.tribuoadapt.peft.sora;

import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.PeftNetwork;

import java.util.Map;

/**
 * Removes the ranks of one SoRA module whose gate is zero: those rows of {@code sora_A}, columns of {@code sora_B}
 * and entries of {@code sora_gate}. Removing them does not change what the module computes.
 */
final class RankPruning {

    private RankPruning() {}

    /**
     * The layer path of a module's tensor key prefix.
     * @param prefix {@code base_model.model.<path>.}
     * @return The path.
     */
    static String layerPath(String prefix) {
        return prefix.substring(PeftNetwork.MODEL_PREFIX.length(), prefix.length() - 1);
    }

    /**
     * Prunes one module's tensors in place.
     * @param prefix The module's key prefix, {@code base_model.model.<path>.}.
     * @param gate The gate values.
     * @param tensors The adapter's tensors; the module's three tensors are replaced when ranks are removed.
     * @return The number of ranks kept; at least one (a module whose gates are all zero keeps its first, zero, rank).
     */
    static int prune(String prefix, float[] gate, Map<String, TensorData> tensors) {
        int r = gate.length;
        int[] keep = new int[r];
        int kept = 0;
        for (int i = 0; i < r; i++) {
            if (gate[i] != 0) {
                keep[kept++] = i;
            }
        }
        if (kept == 0) {
            kept = 1;
        }
        if (kept == r) {
            return r;
        }
        TensorData a = tensors.get(prefix + "sora_A");
        TensorData b = tensors.get(prefix + "sora_B");
        tensors.put(prefix + "sora_A", select(a, keep, kept, 0));
        tensors.put(prefix + "sora_B", select(b, keep, kept, 1));
        tensors.put(prefix + "sora_gate", select(tensors.get(prefix + "sora_gate"), keep, kept, 0));
        return kept;
    }

    /** Keeps the given indices along one axis (0 or 1) of a tensor. */
    private static TensorData select(TensorData tensor, int[] keep, int kept, int axis) {
        long[] shape = tensor.shape();
        int outer = axis == 0 ? 1 : Math.toIntExact(shape[0]);
        int size = Math.toIntExact(shape[axis]);
        int inner = Math.toIntExact(tensor.numElements() / ((long) outer * size));
        float[] values = tensor.toFloatArray();
        float[] out = new float[outer * kept * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < kept; j++) {
                System.arraycopy(values, (o * size + keep[j]) * inner, out, (o * kept + j) * inner, inner);
            }
        }
        long[] newShape = shape.clone();
        newShape[axis] = kept;
        return TensorData.ofFloats(newShape, out);
    }
}
