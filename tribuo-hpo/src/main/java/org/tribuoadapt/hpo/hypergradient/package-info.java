/**
 * Hypergradient descent optimisers for networks (Baydin et al. 2018): SGD-HD, SGDN-HD and Adam-HD with the additive
 * or multiplicative learning-rate rule and a clipped learning rate.
 */
package org.tribuoadapt.hpo.hypergradient;
