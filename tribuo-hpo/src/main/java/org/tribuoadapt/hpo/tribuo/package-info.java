/**
 * Hypergradient optimisers (Baydin et al. 2018) and a corrected Adam as Tribuo {@code StochasticGradientOptimiser}s,
 * for Tribuo's own SGD trainers.
 */
package org.tribuoadapt.hpo.tribuo;
