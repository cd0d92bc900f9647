/**
 * Pruners with the defaults and decision rules of Optuna 3.1: {@link org.tribuoadapt.hpo.search.pruner.MedianPruner},
 * {@link org.tribuoadapt.hpo.search.pruner.SuccessiveHalvingPruner} and
 * {@link org.tribuoadapt.hpo.search.pruner.HyperbandPruner} (the pruner that never prunes,
 * {@link org.tribuoadapt.hpo.search.NopPruner}, is beside the {@link org.tribuoadapt.hpo.search.Pruner} interface).
 */
package org.tribuoadapt.hpo.search.pruner;
