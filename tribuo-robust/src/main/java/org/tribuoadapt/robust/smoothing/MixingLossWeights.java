package org.tribuoadapt.robust.smoothing;

/**
 * The weights of the mixing network's composite loss {@code c_bce * BCE + c_ce * CE + c_prod * BCE * CE} (Bai et al.
 * 2024, section 4.2), and the weight of clean examples against attacked ones.
 *
 * @param bce The weight of the binary cross-entropy on gamma.
 * @param ce The weight of the mixed prediction's cross-entropy.
 * @param product The weight of their product.
 * @param cleanWeight The weight of a clean example (attacked examples weigh 1).
 */
record MixingLossWeights(double bce, double ce, double product, double cleanWeight) {}
