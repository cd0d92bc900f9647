package org.tribuoadapt.core.pruning;

/**
 * How {@link MagnitudePruning} spreads the pruning ratio over a network's weight tensors.
 */
public enum PruningScope {
    /** Every prunable tensor loses the same share of its own entries (the authors' {@code unif} distribution). */
    LAYER_WISE,
    /** The entries of all prunable tensors are ranked together by magnitude, so layers lose different shares. */
    GLOBAL
}
