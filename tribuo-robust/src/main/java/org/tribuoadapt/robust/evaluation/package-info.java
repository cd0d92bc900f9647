/**
 * Robustness evaluation: clean accuracy, accuracy under configured attacks and budgets, and the
 * accuracy-robustness curve of adaptive smoothing over alpha, with provenance.
 */
package org.tribuoadapt.robust.evaluation;
