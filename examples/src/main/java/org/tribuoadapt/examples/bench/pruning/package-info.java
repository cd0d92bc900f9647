/**
 * The {@code bench pruning} sweep: load and temperature of magnitude pruning on the embedded sample, with the
 * three-regime diagnostics of Zhou, Yang, Chang and Mahoney (ICML 2023) and their phase plot.
 */
package org.tribuoadapt.examples.bench.pruning;
