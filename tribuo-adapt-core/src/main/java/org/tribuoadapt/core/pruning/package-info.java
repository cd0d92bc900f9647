/**
 * Magnitude pruning with retraining under a fixed mask, and the loss-landscape diagnostics of the three-regime model
 * of pruning (Zhou, Yang, Chang and Mahoney, ICML 2023): load and temperature, linear mode connectivity and linear CKA.
 */
package org.tribuoadapt.core.pruning;
