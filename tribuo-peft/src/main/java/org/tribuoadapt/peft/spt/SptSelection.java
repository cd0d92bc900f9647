package org.tribuoadapt.peft.spt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SPT's allocation of a trainable-parameter budget (He et al. 2023, section 3.2 and the authors' {@code get_sensitivity}):
 * rank all the weights of the targeted matrices by sensitivity, globally, and take the top {@code tau}; a matrix
 * {@code W} of shape {@code [d_out, d_in]} (a convolution's fan-in counts as {@code d_in}) whose count of selected
 * weights reaches {@code sigma_opt = r (d_in + d_out) / alpha} gets a rank-r LoRA module, which costs
 * {@code r (d_in + d_out)} parameters; every other matrix tunes its selected weights unstructured. The authors sweep
 * {@code tau} and keep the configuration nearest the budget (their test is {@code count >= sigma_opt}); here
 * {@code tau} grows down the ranking for as long as the total cost stays within the budget, so the budget is never
 * overspent and, without LoRA modules, is spent exactly. Among equal sensitivities the earlier weight (layer order, then row-major)
 * ranks first.
 */
public final class SptSelection {

    private final long budget;
    private final int selected;
    private final long trainable;
    private final Map<String, float[]> masks;
    private final Map<String, Integer> counts;
    private final List<String> loraLayers;

    private SptSelection(long budget, int selected, long trainable, Map<String, float[]> masks, Map<String, Integer> counts,
                         List<String> loraLayers) {
        this.budget = budget;
        this.selected = selected;
        this.trainable = trainable;
        this.masks = masks;
        this.counts = counts;
        this.loraLayers = loraLayers;
    }

    /**
     * The LoRA cost of a weight matrix, {@code r (d_in + d_out)}.
     * @param shape The weight's shape, output dimension first.
     * @param rank The rank r.
     * @return The number of LoRA parameters.
     */
    public static long loraParameters(long[] shape, int rank) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        return rank * (shape[0] + size / shape[0]);
    }

    /**
     * Selects the weights and the LoRA layers.
     * @param sensitivity Each layer's weight sensitivity, row-major, by layer path.
     * @param shapes Each layer's weight shape, by layer path.
     * @param budget The total number of trainable parameters (selected weights plus LoRA parameters).
     * @param rank The LoRA rank r.
     * @param alpha The authors' alpha, which sets {@code sigma_opt = r (d_in + d_out) / alpha}.
     * @return The selection.
     * @throws IllegalArgumentException if the budget is not positive or exceeds the number of weights, a shape does not
     * fit its sensitivity, or a sensitivity is negative or not finite.
     */
    public static SptSelection select(Map<String, float[]> sensitivity, Map<String, long[]> shapes, long budget, int rank,
                                      double alpha) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be positive and finite, found " + alpha);
        }
        if (rank < 1) {
            throw new IllegalArgumentException("the LoRA rank must be positive, found " + rank);
        }
        List<String> layers = new ArrayList<>(sensitivity.keySet());
        int[] offsets = new int[layers.size() + 1];
        long[] lora = new long[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            long[] shape = shapes.get(layers.get(l));
            float[] values = sensitivity.get(layers.get(l));
            if (shape == null || Arrays.stream(shape).reduce(1, (a, b) -> a * b) != values.length) {
                throw new IllegalArgumentException("the weight shape of '" + layers.get(l) + "' is "
                        + Arrays.toString(shape) + " but it has " + values.length + " sensitivities");
            }
            lora[l] = loraParameters(shape, rank);
            offsets[l + 1] = Math.addExact(offsets[l], values.length);
        }
        int total = offsets[layers.size()];
        if (budget <= 0 || budget > total) {
            throw new IllegalArgumentException("the budget must be between 1 and the " + total
                    + " weights of the targeted layers, found " + budget);
        }
        // descending sensitivity, earlier index first among ties: sort (bits, -index) ascending and read from the end
        long[] keys = new long[total];
        for (int l = 0; l < layers.size(); l++) {
            float[] values = sensitivity.get(layers.get(l));
            for (int i = 0; i < values.length; i++) {
                if (!(values[i] >= 0) || Float.isInfinite(values[i])) {
                    throw new IllegalArgumentException("the sensitivity of '" + layers.get(l) + "' at " + i + " is "
                            + values[i]);
                }
                int index = offsets[l] + i;
                keys[index] = ((long) Float.floatToIntBits(values[i] + 0f) << 32) | (Integer.MAX_VALUE - index);
            }
        }
        Arrays.sort(keys);
        int[] layerOf = new int[total];
        for (int l = 0; l < layers.size(); l++) {
            Arrays.fill(layerOf, offsets[l], offsets[l + 1], l);
        }
        // the cost only grows with tau, so walk down the ranking until the next weight would overspend
        int[] count = new int[layers.size()];
        long cost = 0;
        int tau = 0;
        while (tau < total) {
            int index = Integer.MAX_VALUE - (int) keys[total - 1 - tau];
            int l = layerOf[index];
            long next = cost - layerCost(count[l], lora[l], alpha) + layerCost(count[l] + 1, lora[l], alpha);
            if (next > budget) {
                break;
            }
            cost = next;
            count[l]++;
            tau++;
        }
        Map<String, float[]> masks = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> loraLayers = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            masks.put(layers.get(l), new float[offsets[l + 1] - offsets[l]]);
            counts.put(layers.get(l), count[l]);
            if (usesLora(count[l], lora[l], alpha)) {
                loraLayers.add(layers.get(l));
            }
        }
        for (int j = 0; j < tau; j++) {
            int index = Integer.MAX_VALUE - (int) keys[total - 1 - j];
            int l = layerOf[index];
            if (!usesLora(count[l], lora[l], alpha)) {
                masks.get(layers.get(l))[index - offsets[l]] = 1f;
            }
        }
        for (String layer : loraLayers) {
            masks.remove(layer);
        }
        return new SptSelection(budget, tau, cost, Collections.unmodifiableMap(masks), Collections.unmodifiableMap(counts),
                Collections.unmodifiableList(loraLayers));
    }

    /** Whether a matrix with this many selected weights is tuned by LoRA: {@code count >= sigma_opt}. */
    private static boolean usesLora(int count, long loraParameters, double alpha) {
        return count > 0 && count * alpha >= loraParameters;
    }

    private static long layerCost(int count, long loraParameters, double alpha) {
        return usesLora(count, loraParameters, alpha) ? loraParameters : count;
    }

    /** @return The budget. */
    public long budget() {
        return budget;
    }

    /** @return tau, the number of the most sensitive weights selected. */
    public int selected() {
        return selected;
    }

    /** @return The trainable parameters the selection costs: unstructured weights plus LoRA parameters. */
    public long trainable() {
        return trainable;
    }

    /** @return The 0/1 masks of the unstructured layers, row-major, by layer path. */
    public Map<String, float[]> masks() {
        return masks;
    }

    /** @return The number of selected weights in each layer, by layer path. */
    public Map<String, Integer> counts() {
        return counts;
    }

    /** @return The layers tuned by LoRA, in layer order. */
    public List<String> loraLayers() {
        return loraLayers;
    }

    @Override
    public String toString() {
        return "SptSelection(budget=" + budget + ",selected=" + selected + ",trainable=" + trainable + ",counts=" + counts
                + ",loraLayers=" + loraLayers + ")";
    }
}
