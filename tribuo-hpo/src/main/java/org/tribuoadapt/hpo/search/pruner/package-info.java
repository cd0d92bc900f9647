/**
 * Pruners with the defaults and decision rules of Optuna 3.1: {@link org.tribuoadapt.hpo.search.pruner.NopPruner},
 * {@link org.tribuoadapt.hpo.search.pruner.MedianPruner},
 * {@link org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner} and
 * {@link org.tribuoadapt.hpo.search.pruner.HyperbandPruner}.
 */
package org.tribuoadapt.hpo.search.pruner;
