/**
 * The {@code bench robust} benchmark: standard, adversarially trained and adaptive-smoothing classifiers on
 * Fashion-MNIST under PGD.
 */
package org.tribuoadapt.examples.bench.robust;
