/**
 * The {@code bench bonsai} benchmark: a plain initialisation against Bonsai's rich feature construction, both then
 * trained on a spuriously correlated Fashion-MNIST sample and tested where the correlation is reversed.
 */
package org.tribuoadapt.examples.bench.bonsai;
