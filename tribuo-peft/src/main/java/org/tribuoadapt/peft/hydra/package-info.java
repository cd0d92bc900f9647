/**
 * Hydra (Kim et al. 2024): a parallel and a sequential low-rank branch around a frozen layer, mergeable into its weight.
 */
package org.tribuoadapt.peft.hydra;
