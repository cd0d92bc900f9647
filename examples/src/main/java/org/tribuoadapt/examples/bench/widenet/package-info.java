/**
 * The {@code bench widenet} benchmark: WideNet (shared attention and mixture-of-experts weights, individual
 * LayerNorms) against a plain vision transformer of the same per-token cost, by parameters and accuracy.
 */
package org.tribuoadapt.examples.bench.widenet;
