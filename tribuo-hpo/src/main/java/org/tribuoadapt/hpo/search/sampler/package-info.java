/**
 * Samplers: {@link org.tribuoadapt.hpo.search.sampler.RandomSampler} and the univariate
 * {@link org.tribuoadapt.hpo.search.sampler.TpeSampler} (Bergstra et al. 2011) with Optuna 3.1's defaults, the grid
 * sampler, and Gaussian-process Bayesian optimisation ({@link org.tribuoadapt.hpo.search.sampler.GpSampler}) and NSGA-II
 * for multi-objective studies ({@link org.tribuoadapt.hpo.search.sampler.NsgaIISampler}). Every
 * draw is a function of the seed, the finished trials, the trial number and the parameter name.
 */
package org.tribuoadapt.hpo.search.sampler;
