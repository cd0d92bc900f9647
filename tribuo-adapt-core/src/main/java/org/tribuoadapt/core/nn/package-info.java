/**
 * Networks on DJL's PyTorch engine: layers with stable dotted names, parameters with PyTorch's names and layouts,
 * forward passes with observers, and the runtime set-up (offline engine, gradient mode).
 */
package org.tribuoadapt.core.nn;
