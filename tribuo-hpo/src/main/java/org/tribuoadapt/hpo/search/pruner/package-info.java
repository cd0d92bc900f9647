/**
 * Pruners with the defaults and decision rules of Optuna 3.1, starting with
 * {@link org.tribuoadapt.hpo.search.pruner.NopPruner}.
 */
package org.tribuoadapt.hpo.search.pruner;
