/**
 * The {@code bench compander} benchmark: the weight compander (Cakaj et al. 2023) against weight decay as a
 * regulariser on the embedded sample.
 */
package org.tribuoadapt.examples.bench.compander;
