/**
 * Hyper-parameter search over Tribuo configuration files, in the manner of Optuna (Akiba et al., "Optuna: A
 * Next-generation Hyperparameter Optimization Framework", KDD 2019): a {@link org.tribuoadapt.hpo.search.SearchSpace}
 * of distributions over {@code component.property} names, a {@link org.tribuoadapt.hpo.search.Study} of
 * {@link org.tribuoadapt.hpo.search.Trial}s drawn by a {@link org.tribuoadapt.hpo.search.Sampler} and kept in a
 * {@link org.tribuoadapt.hpo.search.StudyStorage}. Samplers are in {@code sampler}, the Optuna-compatible journal
 * file in {@code journal}, the objective over a configuration file in {@code objective}.
 */
package org.tribuoadapt.hpo.search;
