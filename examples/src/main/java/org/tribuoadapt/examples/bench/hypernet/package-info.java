/**
 * The {@code bench hypernet} benchmark: hypernetworks conditioned on an L2 regularisation strength, plain against
 * Magnitude Invariant Parametrizations, by training loss per epoch and accuracy across strengths.
 */
package org.tribuoadapt.examples.bench.hypernet;
