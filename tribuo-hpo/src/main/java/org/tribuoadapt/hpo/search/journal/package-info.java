/**
 * {@link org.tribuoadapt.hpo.search.journal.JournalFileStorage}: studies in the append-only JSON-lines journal of
 * Optuna 3.1's {@code JournalFileStorage}, shared by Java and Python workers under Optuna's symbolic-link lock.
 */
package org.tribuoadapt.hpo.search.journal;
