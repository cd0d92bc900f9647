/**
 * Learning-rate tuners: hypergradient optimisers, FedHyper and the Step Law scaling-law predictor.
 */
package org.tribuoadapt.hpo;
