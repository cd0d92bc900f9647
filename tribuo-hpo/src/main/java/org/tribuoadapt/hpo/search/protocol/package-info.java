/**
 * The two-phase evaluation protocol of Cha and Cho ("Hyperparameters in Continual Learning: A Reality Check",
 * arXiv 2403.09066): hyper-parameters are tuned by a {@link org.tribuoadapt.hpo.search.Study} on one data split,
 * frozen, and then trained once and scored on a disjoint split, so that the reported score does not carry the
 * optimism of having been selected on the data it is measured on.
 */
package org.tribuoadapt.hpo.search.protocol;
