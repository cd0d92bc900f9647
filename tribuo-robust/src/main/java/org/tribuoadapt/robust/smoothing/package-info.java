/**
 * Adaptive smoothing (Bai, Anderson, Kim and Sojoudi 2024): classifiers that mix the probabilities of an accurate
 * standard model and a robust model, with a fixed weight or one predicted per input by a mixing network.
 */
package org.tribuoadapt.robust.smoothing;
