/**
 * Population based training (Jaderberg et al., "Population Based Training of Neural Networks", 2017) over the
 * {@link org.tribuoadapt.core.model.NetworkTrainer} of an OLCUT configuration file: truncation-selection exploit,
 * multiplicative or resampling explore, the lineage of every member and a replay of the winner's schedule.
 */
package org.tribuoadapt.hpo.search.pbt;
