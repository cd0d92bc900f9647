/**
 * The {@code bench hpo} benchmark: learning-rate robustness of hypergradient descent, FedHyper against FedAvg, and
 * the Step Law's worked values.
 */
package org.tribuoadapt.examples.bench.hpo;
