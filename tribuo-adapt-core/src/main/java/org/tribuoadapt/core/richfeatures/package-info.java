/**
 * Rich Feature Construction, the Bonsai algorithm (Zhang, Lopez-Paz and Bottou 2022, "Rich Feature Construction for
 * the Optimization-Generalization Dilemma", ICML): discovery episodes that train networks by group DRO over the
 * partitions the earlier networks induce, a synthesis episode that distils them into one multi-head network, and the
 * trainer that returns the synthesised representation as the initialisation of an out-of-distribution training run.
 */
package org.tribuoadapt.core.richfeatures;
