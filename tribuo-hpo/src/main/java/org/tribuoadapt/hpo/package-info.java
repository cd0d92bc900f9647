/**
 * Learning-rate tuners (hypergradient optimisers, FedHyper and the Step Law scaling-law predictor) and hyper-parameter
 * search over configuration files ({@code search}).
 */
package org.tribuoadapt.hpo;
