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
    DARE_TIES,
    /** The factors trimmed by magnitude as TIES trims them, then summed (no sign election). */
    MAGNITUDE_PRUNE,
    /** TIES merging of the weight updates, truncated by singular value decomposition. */
    TIES_SVD,
    /** DARE and a weighted sum of the weight updates, truncated by singular value decomposition. */
    DARE_LINEAR_SVD,
    /** DARE and TIES' sign election on the weight updates, truncated by singular value decomposition. */
    DARE_TIES_SVD,
    /** The weight updates trimmed by magnitude and summed, truncated by singular value decomposition. */
    MAGNITUDE_PRUNE_SVD;

    /**
     * Whether this combination uses the density.
     * @return True for TIES, the DARE variants and magnitude pruning, with or without SVD.
     */
    public boolean usesDensity() {
        CombinationType merging = tensorMerging();
        return merging != LINEAR && merging != CAT;
    }

    /**
     * Whether this combination elects signs, and so uses the majority sign method.
     * @return True for the TIES and DARE-TIES variants.
     */
    public boolean electsSigns() {
        CombinationType merging = tensorMerging();
        return merging == TIES || merging == DARE_TIES;
    }

    /**
     * Whether this combination merges the weight updates and truncates them by singular value decomposition (PEFT's
     * types ending in {@code svd}), rather than merging the LoRA factors.
     * @return True for {@code svd} and its variants.
     */
    public boolean isSvd() {
        return name().endsWith("SVD");
    }

    /**
     * How the task tensors (the factors, or the weight updates for the SVD variants) are merged: the type itself, or
     * for an SVD variant the factor type of the same name ({@code LINEAR} for {@code SVD}).
     * @return The merging of tensors.
     */
    public CombinationType tensorMerging() {
        if (this == SVD) {
            return LINEAR;
        }
        return isSvd() ? valueOf(name().substring(0, name().length() - "_SVD".length())) : this;
    }

    /**
     * PEFT's name, e.g. {@code dare_ties}.
     * @return The lower-case name.
     */
    public String peftName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
