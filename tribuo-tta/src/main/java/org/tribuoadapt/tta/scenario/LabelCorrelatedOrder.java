package org.tribuoadapt.tta.scenario;

import org.tribuoadapt.core.bridge.TensorDataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Orders examples so that labels are temporally correlated, with the Dirichlet scheme of Gong et al. (2022, NOTE)
 * used by the benchmark of Marsden, Döbler and Yang (2024): the examples of each class are split over as many
 * chunks as there are classes, with proportions drawn from a symmetric Dirichlet(delta) (chunks that already hold
 * their share of the examples get none); draws are repeated until every chunk holds at least
 * {@code min(10, n / (2 classes))} examples. The chunks are then emitted one after the other, each chunk's classes
 * in a random order. A small delta gives long runs of one class; a large delta approaches an i.i.d. order.
 */
final class LabelCorrelatedOrder {

    /** How many draws are tried before giving up. */
    static final int MAX_DRAWS = 1000;

    private LabelCorrelatedOrder() {}

    /**
     * Orders positions {@code 0..labels.length-1}.
     * @param labels The label id at each position.
     * @param numClasses The number of classes (and chunks).
     * @param delta The Dirichlet concentration, positive.
     * @param rng The random stream.
     * @return A permutation of the positions.
     * @throws IllegalStateException naming delta, if no acceptable split is found.
     */
    static int[] order(int[] labels, int numClasses, double delta, SplittableRandom rng) {
        int n = labels.length;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            byClass.get(labels[i]).add(i);
        }
        int threshold = Math.min(10, n / (2 * numClasses));
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            int[][][] parts = new int[numClasses][][];
            int[] chunkSizes = new int[numClasses];
            for (int k = 0; k < numClasses; k++) {
                int[] members = shuffled(byClass.get(k), rng);
                double[] p = DirichletSampler.sample(delta, numClasses, rng);
                double sum = 0;
                for (int j = 0; j < numClasses; j++) {
                    if (chunkSizes[j] >= (double) n / numClasses) {
                        p[j] = 0;
                    }
                    sum += p[j];
                }
                if (sum == 0) {
                    p = DirichletSampler.sample(delta, numClasses, rng);
                    sum = 1;
                }
                parts[k] = split(members, p, sum);
                for (int j = 0; j < numClasses; j++) {
                    chunkSizes[j] += parts[k][j].length;
                }
            }
            int smallest = Integer.MAX_VALUE;
            for (int size : chunkSizes) {
                smallest = Math.min(smallest, size);
            }
            if (smallest >= threshold) {
                return sequence(parts, numClasses, n, rng);
            }
        }
        throw new IllegalStateException("could not build a label-correlated order with Dirichlet delta " + delta
                + " for " + n + " examples of " + numClasses + " classes in " + MAX_DRAWS
                + " draws; use a larger delta or more examples");
    }

    private static int[] shuffled(List<Integer> members, SplittableRandom rng) {
        int[] order = TensorDataset.permutation(members.size(), rng);
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            out[i] = members.get(order[i]);
        }
        return out;
    }

    /** Cuts {@code members} at the cumulative proportions. */
    private static int[][] split(int[] members, double[] p, double sum) {
        int[][] out = new int[p.length][];
        double cumulative = 0;
        int from = 0;
        for (int j = 0; j < p.length; j++) {
            cumulative += p[j] / sum;
            int to = j == p.length - 1 ? members.length : Math.min(members.length, (int) (cumulative * members.length));
            to = Math.max(to, from);
            out[j] = Arrays.copyOfRange(members, from, to);
            from = to;
        }
        return out;
    }

    private static int[] sequence(int[][][] parts, int numClasses, int n, SplittableRandom rng) {
        int[] out = new int[n];
        int pos = 0;
        for (int chunk = 0; chunk < numClasses; chunk++) {
            for (int k : TensorDataset.permutation(numClasses, rng)) {
                for (int position : parts[k][chunk]) {
                    out[pos++] = position;
                }
            }
        }
        return out;
    }
}
