/**
 * Adversarial training: PGD adversarial training (Madry et al. 2018) and TRADES (Zhang et al. 2019) through the
 * core training loop.
 */
package org.tribuoadapt.robust.adversarial;
