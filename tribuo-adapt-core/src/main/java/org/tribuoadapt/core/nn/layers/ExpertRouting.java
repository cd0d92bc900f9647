package org.tribuoadapt.core.nn.layers;

import java.util.Arrays;

/**
 * Which expert each token goes to in a {@link MixtureOfExperts} layer: top-k routing with a fixed expert capacity
 * (Shazeer et al. 2017; Lepikhin et al. 2021, GShard; Fedus et al. 2022, Switch Transformer), as WideNet uses it
 * (Xue et al. 2022, "Go Wider Instead of Deeper").
 * <p>
 * Each token's {@code k} choices are the experts of highest router probability, in descending order (ties go to the
 * lower expert index). Each expert takes at most {@code capacity = ceil(capacityFactor * tokens * k / experts)}
 * assignments: all first choices are placed before any second choice, and within one rank tokens are placed in
 * token order, so the later tokens of an over-full expert are dropped (their assignment contributes nothing and the
 * token passes through the residual connection only). Routing is decided on values read out of the tape, so it is
 * not differentiated; the gate values that weight the kept assignments are.
 */
public final class ExpertRouting {

    private final int tokens;
    private final int experts;
    private final int topK;
    private final int capacity;
    private final int[] choices;
    private final boolean[] kept;

    private ExpertRouting(int tokens, int experts, int topK, int capacity, int[] choices, boolean[] kept) {
        this.tokens = tokens;
        this.experts = experts;
        this.topK = topK;
        this.capacity = capacity;
        this.choices = choices;
        this.kept = kept;
    }

    /**
     * The capacity of each expert.
     * @param tokens The number of tokens routed together.
     * @param experts The number of experts.
     * @param topK The experts per token.
     * @param capacityFactor The capacity factor.
     * @return {@code ceil(capacityFactor * tokens * topK / experts)}.
     */
    public static int capacity(int tokens, int experts, int topK, double capacityFactor) {
        return (int) Math.ceil(capacityFactor * tokens * topK / experts);
    }

    /**
     * Routes tokens given their router probabilities.
     * @param probabilities The router's softmax probabilities, row-major {@code [tokens, experts]}.
     * @param experts The number of experts.
     * @param topK The experts per token, between 1 and {@code experts}.
     * @param capacityFactor The capacity factor, positive.
     * @return The routing.
     * @throws IllegalArgumentException if the settings are impossible or the probabilities are not finite.
     */
    public static ExpertRouting route(float[] probabilities, int experts, int topK, double capacityFactor) {
        if (experts < 1 || topK < 1 || topK > experts || !(capacityFactor > 0) || probabilities.length % experts != 0) {
            throw new IllegalArgumentException("cannot route " + probabilities.length + " probabilities over " + experts
                    + " experts with topK " + topK + " and capacity factor " + capacityFactor);
        }
        int tokens = probabilities.length / experts;
        int[] choices = new int[tokens * topK];
        for (int s = 0; s < tokens; s++) {
            boolean[] taken = new boolean[experts];
            for (int r = 0; r < topK; r++) {
                int best = -1;
                for (int e = 0; e < experts; e++) {
                    float p = probabilities[s * experts + e];
                    if (Float.isNaN(p)) {
                        throw new IllegalArgumentException("router probability of token " + s + " for expert " + e + " is NaN");
                    }
                    if (!taken[e] && (best < 0 || p > probabilities[s * experts + best])) {
                        best = e;
                    }
                }
                taken[best] = true;
                choices[s * topK + r] = best;
            }
        }
        int capacity = capacity(tokens, experts, topK, capacityFactor);
        int[] load = new int[experts];
        boolean[] kept = new boolean[choices.length];
        for (int r = 0; r < topK; r++) {
            for (int s = 0; s < tokens; s++) {
                int e = choices[s * topK + r];
                if (load[e] < capacity) {
                    load[e]++;
                    kept[s * topK + r] = true;
                }
            }
        }
        return new ExpertRouting(tokens, experts, topK, capacity, choices, kept);
    }

    /** @return The number of tokens routed. */
    public int tokens() {
        return tokens;
    }

    /** @return The capacity of each expert. */
    public int capacity() {
        return capacity;
    }

    /**
     * A token's choice of a given rank.
     * @param token The token.
     * @param rank 0 for the most probable expert, up to {@code topK - 1}.
     * @return The expert.
     */
    public int choice(int token, int rank) {
        return choices[token * topK + rank];
    }

    /**
     * Whether a token's choice of a given rank fitted in its expert's capacity.
     * @param token The token.
     * @param rank The rank.
     * @return False if the assignment was dropped.
     */
    public boolean isKept(int token, int rank) {
        return kept[token * topK + rank];
    }

    /**
     * The tokens an expert processes, in token order.
     * @param expert The expert.
     * @return The token indices of its kept assignments.
     */
    public int[] tokensOf(int expert) {
        int[] out = new int[tokens];
        int n = 0;
        for (int s = 0; s < tokens; s++) {
            for (int r = 0; r < topK; r++) {
                if (kept[s * topK + r] && choices[s * topK + r] == expert) {
                    out[n++] = s;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The fraction {@code f_e} of all {@code tokens * k} choices that name each expert, before capacity dropping:
     * the dispatch fraction of the load-balancing loss (for {@code k = 1}, Switch's fraction of tokens).
     * @return The fractions, summing to 1.
     */
    public float[] choiceFractions() {
        int[] counts = new int[experts];
        for (int c : choices) {
            counts[c]++;
        }
        float[] fractions = new float[experts];
        for (int e = 0; e < experts; e++) {
            fractions[e] = (float) counts[e] / choices.length;
        }
        return fractions;
    }
}
