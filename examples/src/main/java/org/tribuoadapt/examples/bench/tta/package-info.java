/**
 * The {@code bench tta} benchmark: test-time adaptation methods on corrupted Fashion-MNIST streams.
 */
package org.tribuoadapt.examples.bench.tta;
