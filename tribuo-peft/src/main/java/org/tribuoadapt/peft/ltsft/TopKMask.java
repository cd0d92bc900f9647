package org.tribuoadapt.peft.ltsft;

import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LT-SFT's mask selection (Ansell et al. 2022): after full fine-tuning, keep the K entries whose value changed most
 * from the pre-trained one, {@code top-K |theta_1 - theta_0|}, over all the differences of an adapter together. With
 * several rounds ({@code n_ft_iterations} in the authors' code) each round grows the previous mask: the K entries are
 * chosen among those not yet selected and added to them. Exactly K entries are added; among equal changes the earlier
 * entry (in tensor order) wins.
 */
final class TopKMask {

    static final String DELTA = "sft_delta.";
    static final String MASK = "sft_mask.";

    private TopKMask() {}

    /**
     * Grows masks by the K largest absolute differences among the entries they do not hold yet.
     * @param tensors The adapter's tensors after full fine-tuning; the differences are the {@code sft_delta.*} ones.
     * @param k How many entries to add.
     * @param previous The masks of the earlier rounds, keyed like the result; empty before the first round.
     * @return The grown masks, keyed like the differences with {@code sft_mask.} in place of {@code sft_delta.}.
     * @throws IllegalArgumentException if k exceeds the number of entries not yet selected.
     */
    static Map<String, TensorData> grow(Map<String, TensorData> tensors, int k, Map<String, TensorData> previous) {
        Map<String, float[]> changes = new LinkedHashMap<>();
        Map<String, float[]> masks = new LinkedHashMap<>();
        int candidates = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            if (e.getKey().contains("." + DELTA)) {
                String maskKey = e.getKey().replace("." + DELTA, "." + MASK);
                float[] values = e.getValue().toFloatArray();
                TensorData before = previous.get(maskKey);
                float[] mask = before == null ? new float[values.length] : before.toFloatArray();
                if (mask.length != values.length) {
                    throw new IllegalArgumentException("the previous mask '" + maskKey + "' has " + mask.length
                            + " entries but the difference has " + values.length);
                }
                for (int i = 0; i < values.length; i++) {
                    // entries already selected are no candidates
                    values[i] = mask[i] != 0 ? -1 : Math.abs(values[i]);
                    candidates += mask[i] != 0 ? 0 : 1;
                }
                changes.put(e.getKey(), values);
                masks.put(maskKey, mask);
            }
        }
        if (k > candidates) {
            throw new IllegalArgumentException("k = " + k + " is more than the " + candidates + " values the adapter tunes"
                    + (previous.isEmpty() ? "" : " and has not selected yet"));
        }
        float[] all = new float[candidates];
        int offset = 0;
        for (float[] values : changes.values()) {
            for (float v : values) {
                if (v >= 0) {
                    all[offset++] = v;
                }
            }
        }
        Arrays.sort(all);
        float threshold = all[candidates - k];
        int above = 0;
        for (float v : all) {
            if (v > threshold) {
                above++;
            }
        }
        int ties = k - above;
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : changes.entrySet()) {
            float[] values = e.getValue();
            String maskKey = e.getKey().replace("." + DELTA, "." + MASK);
            float[] mask = masks.get(maskKey);
            for (int i = 0; i < values.length; i++) {
                if (values[i] > threshold || (values[i] == threshold && ties-- > 0)) {
                    mask[i] = 1;
                }
            }
            out.put(maskKey, TensorData.ofFloats(tensors.get(e.getKey()).shape(), mask));
        }
        return out;
    }
}
