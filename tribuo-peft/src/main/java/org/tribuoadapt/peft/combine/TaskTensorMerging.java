package org.tribuoadapt.peft.combine;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Merging of task tensors (same-shaped parameter tensors of several tasks) with PEFT's {@code merge_utils}
 * semantics: task arithmetic (a weighted sum), magnitude pruning (each task keeps its {@code density} share of largest
 * magnitudes, then a weighted sum), TIES (Yadav et al. 2023: keep the {@code density} share of largest
 * magnitudes, elect a sign per entry, average the weighted entries that agree with it) and DARE (Yu et al. 2024: keep
 * each entry with probability {@code density} and divide the kept entries by {@code density}). A density of 1 keeps
 * every entry. DARE draws from the given seeded stream, so merges are reproducible.
 */
public final class TaskTensorMerging {

    private TaskTensorMerging() {}

    /**
     * The weighted sum {@code sum_t w_t tau_t}.
     * @param tasks The task tensors, equally long.
     * @param weights One weight per task.
     * @return The merged tensor.
     */
    public static float[] taskArithmetic(List<float[]> tasks, double[] weights) {
        float[] out = new float[tasks.get(0).length];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            for (int t = 0; t < tasks.size(); t++) {
                sum += weights[t] * tasks.get(t)[i];
            }
            out[i] = (float) sum;
        }
        return out;
    }

    /**
     * Magnitude pruning followed by a weighted sum (PEFT's {@code magnitude_prune}): TIES' trim without its sign
     * election.
     * @param tasks The task tensors.
     * @param weights One weight per task.
     * @param density The share of entries each task keeps, in (0, 1].
     * @return The merged tensor.
     */
    public static float[] magnitudePrune(List<float[]> tasks, double[] weights, double density) {
        return taskArithmetic(tasks.stream().map(t -> keepLargest(t, density)).toList(), weights);
    }

    /**
     * TIES merging.
     * @param tasks The task tensors.
     * @param weights One weight per task.
     * @param density The share of entries each task keeps, in (0, 1].
     * @param sign How the sign of an entry is elected.
     * @return The merged tensor.
     */
    public static float[] ties(List<float[]> tasks, double[] weights, double density, MajoritySign sign) {
        return disjointMerge(tasks.stream().map(t -> keepLargest(t, density)).toList(), weights, sign);
    }

    /**
     * DARE followed by a weighted sum.
     * @param tasks The task tensors.
     * @param weights One weight per task.
     * @param density The probability of keeping an entry, in (0, 1].
     * @param rng The random stream.
     * @return The merged tensor.
     */
    public static float[] dareLinear(List<float[]> tasks, double[] weights, double density, SplittableRandom rng) {
        return taskArithmetic(tasks.stream().map(t -> randomPrune(t, density, rng)).toList(), weights);
    }

    /**
     * DARE followed by TIES' sign election and disjoint mean.
     * @param tasks The task tensors.
     * @param weights One weight per task.
     * @param density The probability of keeping an entry, in (0, 1].
     * @param sign How the sign of an entry is elected.
     * @param rng The random stream.
     * @return The merged tensor.
     */
    public static float[] dareTies(List<float[]> tasks, double[] weights, double density, MajoritySign sign,
                                   SplittableRandom rng) {
        return disjointMerge(tasks.stream().map(t -> randomPrune(t, density, rng)).toList(), weights, sign);
    }

    /**
     * Keeps the {@code floor(density * n)} entries of largest magnitude (earlier entries first among equals).
     * @param tensor The tensor.
     * @param density The share kept.
     * @return The pruned copy.
     */
    static float[] keepLargest(float[] tensor, double density) {
        if (density >= 1) {
            return tensor;
        }
        int keep = (int) (density * tensor.length);
        Integer[] order = IntStream.range(0, tensor.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -Math.abs(tensor[i])));
        float[] out = new float[tensor.length];
        for (int k = 0; k < keep; k++) {
            out[order[k]] = tensor[order[k]];
        }
        return out;
    }

    /**
     * Keeps each entry with probability {@code density}, divided by {@code density}.
     * @param tensor The tensor.
     * @param density The keep probability.
     * @param rng The random stream.
     * @return The pruned copy.
     */
    static float[] randomPrune(float[] tensor, double density, SplittableRandom rng) {
        if (density >= 1) {
            return tensor;
        }
        float[] out = new float[tensor.length];
        for (int i = 0; i < tensor.length; i++) {
            if (rng.nextDouble() < density) {
                out[i] = (float) (tensor[i] / density);
            }
        }
        return out;
    }

    /**
     * Elects a sign per entry from the (unweighted) task tensors and averages the weighted entries whose sign agrees.
     */
    private static float[] disjointMerge(List<float[]> tasks, double[] weights, MajoritySign method) {
        int n = tasks.get(0).length;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double mass = 0;
            for (float[] t : tasks) {
                mass += method == MajoritySign.TOTAL ? t[i] : Math.signum(t[i]);
            }
            double elected = mass >= 0 ? 1 : -1;
            double sum = 0;
            int agreeing = 0;
            for (int t = 0; t < tasks.size(); t++) {
                float v = tasks.get(t)[i];
                if (Math.signum(v) == elected) {
                    sum += weights[t] * v;
                    agreeing++;
                }
            }
            out[i] = (float) (sum / Math.max(agreeing, 1));
        }
        return out;
    }
}
