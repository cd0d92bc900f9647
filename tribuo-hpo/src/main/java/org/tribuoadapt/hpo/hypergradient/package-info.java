/**
 * Hypergradient descent (Baydin et al. 2018, "Online Learning Rate Adaptation with Hypergradient Descent"): SGD-HD,
 * SGDN-HD and Adam-HD with the additive or multiplicative learning-rate rule and a clipped learning rate, both as
 * network optimiser factories ({@code SGDHDOptimiserFactory}, {@code AdamHDOptimiserFactory}) and as Tribuo
 * {@code StochasticGradientOptimiser}s for Tribuo's own SGD trainers ({@code SGDHD}, {@code AdamHD}, and the
 * {@code CorrectedAdam} they reduce to with beta = 0). Both take their hyper-parameters through one
 * {@link org.tribuoadapt.hpo.hypergradient.HypergradientSettings} record, which checks them once.
 */
package org.tribuoadapt.hpo.hypergradient;
