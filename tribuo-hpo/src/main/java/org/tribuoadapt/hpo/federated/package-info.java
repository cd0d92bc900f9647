/**
 * A federated-learning simulation with FedAvg and the FedHyper learning-rate schedulers (Zhou et al. 2024) on a
 * seeded Dirichlet non-i.i.d. client split.
 */
package org.tribuoadapt.hpo.federated;
