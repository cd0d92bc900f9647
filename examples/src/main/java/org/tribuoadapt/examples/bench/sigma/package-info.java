/**
 * The {@code bench sigma-reparam} benchmark: σReparam against a plain vision transformer trained without warm-up,
 * with accuracy and the attention entropy of every epoch.
 */
package org.tribuoadapt.examples.bench.sigma;
