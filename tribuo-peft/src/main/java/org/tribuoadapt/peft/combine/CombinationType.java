package org.tribuoadapt.peft.combine;

import java.util.Locale;

/**
 * How adapters are combined into a new one (PEFT's {@code add_weighted_adapter} {@code combination_type}).
 */
public enum CombinationType {
    /** Weighted sums of the A factors and of the B factors (each weighted by the square root of the weight). */
    LINEAR,
    /** The factors side by side: the new rank is the sum of the ranks and the update is exactly the weighted sum. */
    CAT,
    /** The weighted sum of the weight updates, truncated to a rank by singular value decomposition. */
    SVD,
    /** TIES merging (Yadav et al. 2023) of the factors: trim by magnitude, elect signs, average the agreeing entries. */
    TIES,
    /** DARE (Yu et al. 2024) on the factors: drop entries at random, rescale the rest, then sum. */
    DARE_LINEAR,
    /** DARE's random drop and rescale followed by TIES' sign election and disjoint mean. */
    DARE_TIES;

    /**
     * Whether this combination uses the density.
     * @return True for TIES and the DARE variants.
     */
    public boolean usesDensity() {
        return this == TIES || this == DARE_LINEAR || this == DARE_TIES;
    }

    /**
     * PEFT's name, e.g. {@code dare_ties}.
     * @return The lower-case name.
     */
    public String peftName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
