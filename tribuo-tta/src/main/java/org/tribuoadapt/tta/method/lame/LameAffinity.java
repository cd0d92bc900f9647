package org.tribuoadapt.tta.method.lame;

/**
 * The affinity matrix W between the L2-normalised features of a batch that LAME (Boudiaf et al. 2022) uses.
 */
public enum LameAffinity {
    /** {@code w_ij = 1} if j is one of the k nearest neighbours of i (excluding i), else 0. */
    KNN,
    /**
     * {@code w_ij = exp(-||f_i - f_j||^2 / (2 sigma^2))}, with sigma the mean over i of the distance to i's k-th
     * nearest point counting i itself; symmetric and positive semi-definite. The default of the reference code and
     * of the benchmark of Marsden, Döbler and Yang (2024), not of {@link Lame} (see there why).
     */
    RBF,
    /** {@code w_ij = f_i . f_j}, the cosine similarity of the features (the reference code's third affinity). */
    LINEAR
}
