/**
 * Unsupervised model selection for domain and test-time adaptation, after the realistic validation of SKADA-Bench
 * (Lalou et al. 2024): scorers that rank a method's hyperparameters without target labels, and a nested protocol
 * that compares each scorer's choice with the choice of an oracle that sees the target labels.
 */
package org.tribuoadapt.tta.selection;
