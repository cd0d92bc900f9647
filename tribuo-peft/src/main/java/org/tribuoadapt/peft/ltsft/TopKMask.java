package org.tribuoadapt.peft.ltsft;

import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LT-SFT's mask selection (Ansell et al. 2022): after full fine-tuning, keep the K entries whose value
 * changed most, {@code top-K |theta_1 - theta_0|}, over all the differences of an adapter together. Exactly K entries are
 * kept; among equal changes the earlier entry (in tensor order) wins.
 */
final class TopKMask {

    static final String DELTA = "sft_delta.";
    static final String MASK = "sft_mask.";

    private TopKMask() {}

    /**
     * The masks of the K largest absolute differences.
     * @param tensors The adapter's tensors after full fine-tuning; the differences are the {@code sft_delta.*} ones.
     * @param k How many entries to keep.
     * @return The masks, keyed like the differences with {@code sft_mask.} in place of {@code sft_delta.}.
     * @throws IllegalArgumentException if k exceeds the number of entries.
     */
    static Map<String, TensorData> select(Map<String, TensorData> tensors, int k) {
        Map<String, float[]> deltas = new LinkedHashMap<>();
        int total = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().contains("." + DELTA)) {
                float[] values = e.getValue().toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    values[i] = Math.abs(values[i]);
                }
                deltas.put(e.getKey(), values);
                total += values.length;
            }
        }
        if (k > total) {
            throw new IllegalArgumentException("k = " + k + " is more than the " + total + " values the adapter tunes");
        }
        float[] all = new float[total];
        int offset = 0;
        for (float[] values : deltas.values()) {
            System.arraycopy(values, 0, all, offset, values.length);
            offset += values.length;
        }
        Arrays.sort(all);
        float threshold = all[total - k];
        int above = 0;
        for (float v : all) {
            if (v > threshold) {
                above++;
            }
        }
        int ties = k - above;
        Map<String, TensorData> masks = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : deltas.entrySet()) {
            float[] values = e.getValue();
            float[] mask = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                if (values[i] > threshold || (values[i] == threshold && ties-- > 0)) {
                    mask[i] = 1;
                }
            }
            masks.put(e.getKey().replace("." + DELTA, "." + MASK), TensorData.ofFloats(tensors.get(e.getKey()).shape(), mask));
        }
        return masks;
    }
}
