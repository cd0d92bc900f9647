package org.tribuoadapt.core.richfeatures;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The groups of training examples that Bonsai's discovery episodes build (Zhang, Lopez-Paz and Bottou 2022, "Rich
 * Feature Construction for the Optimization-Generalization Dilemma", ICML, Algorithm 1): after round {@code k} the
 * examples its network classifies correctly form the group {@code A_k} and the others the group {@code B_k}. The next
 * round minimises its worst loss over all groups {@code A_1, B_1, ..., A_k, B_k}, so it cannot rest on the features
 * the earlier networks found: a network that used them again would fail on some {@code B_i}. A group that is empty
 * (a round solved every example, or none) is left out, since it has no loss.
 * <p>
 * The groups overlap: every example belongs to one group per round. The pattern of rounds that solved an example is
 * its <em>cell</em>; the synthesis episode balances the cells ({@link #balancedWeights()}).
 */
public final class DiscoveryGroups {

    private final int examples;
    private final List<boolean[]> solvedByRound = new ArrayList<>();

    /**
     * Creates the groups of a dataset before any round.
     * @param examples The number of training examples, at least 1.
     */
    public DiscoveryGroups(int examples) {
        if (examples < 1) {
            throw new IllegalArgumentException("discovery needs at least one example, found " + examples);
        }
        this.examples = examples;
    }

    /**
     * Adds the partition of a finished round.
     * @param solved Whether the round's network classifies each example correctly, one entry per example.
     */
    public void addRound(boolean[] solved) {
        if (solved.length != examples) {
            throw new IllegalArgumentException("a round's partition needs one entry per example (" + examples
                    + "), found " + solved.length);
        }
        solvedByRound.add(solved.clone());
    }

    /**
     * The number of rounds added.
     * @return The rounds.
     */
    public int rounds() {
        return solvedByRound.size();
    }

    /**
     * The non-empty groups, {@code A_1, B_1, A_2, B_2, ...} in round order, each as the ascending ids of its examples.
     * Before any round there is one group, the whole dataset, so that the first round is plain ERM.
     * @return The groups.
     */
    public List<int[]> members() {
        List<int[]> out = new ArrayList<>();
        if (solvedByRound.isEmpty()) {
            out.add(range(examples));
            return out;
        }
        for (boolean[] solved : solvedByRound) {
            addIfNotEmpty(out, select(solved, true));
            addIfNotEmpty(out, select(solved, false));
        }
        return out;
    }

    /**
     * The names of the groups {@link #members()} returns, such as {@code A1} (solved by round 1) and {@code B1}.
     * @return The names, in the same order.
     */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        if (solvedByRound.isEmpty()) {
            out.add("all");
            return out;
        }
        for (int r = 0; r < solvedByRound.size(); r++) {
            if (select(solvedByRound.get(r), true).length > 0) {
                out.add("A" + (r + 1));
            }
            if (select(solvedByRound.get(r), false).length > 0) {
                out.add("B" + (r + 1));
            }
        }
        return out;
    }

    /**
     * The number of examples the given round solved.
     * @param round The round, from 1.
     * @return The size of {@code A_round}.
     */
    public int solved(int round) {
        return select(solvedByRound.get(round - 1), true).length;
    }

    /**
     * One weight per example such that every cell (the set of examples solved by exactly the same rounds) carries the
     * same total weight: {@code 1 / (cells * |cell(i)|)}. The weights sum to 1.
     * @return The weights.
     */
    public double[] balancedWeights() {
        long[] cell = new long[examples];
        Map<Long, Integer> sizes = new HashMap<>();
        for (int i = 0; i < examples; i++) {
            long pattern = 0;
            for (boolean[] solved : solvedByRound) {
                pattern = pattern * 2 + (solved[i] ? 1 : 0);
            }
            cell[i] = pattern;
            sizes.merge(pattern, 1, Integer::sum);
        }
        double[] out = new double[examples];
        for (int i = 0; i < examples; i++) {
            out[i] = 1.0 / ((double) sizes.size() * sizes.get(cell[i]));
        }
        return out;
    }

    private int[] select(boolean[] solved, boolean wanted) {
        int n = 0;
        for (boolean s : solved) {
            n += s == wanted ? 1 : 0;
        }
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < solved.length; i++) {
            if (solved[i] == wanted) {
                out[j++] = i;
            }
        }
        return out;
    }

    private static void addIfNotEmpty(List<int[]> groups, int[] group) {
        if (group.length > 0) {
            groups.add(group);
        }
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
