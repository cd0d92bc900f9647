/**
 * The Step Law scaling-law predictor of the optimal learning rate and batch size (Li et al. 2025), its refit from a
 * user's results, and an optimiser factory that sets the learning rate from the network and data size.
 */
package org.tribuoadapt.hpo.steplaw;
