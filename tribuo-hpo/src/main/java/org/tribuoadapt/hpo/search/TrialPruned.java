package org.tribuoadapt.hpo.search;

/**
 * Thrown by an objective to stop a trial that {@link ActiveTrial#shouldPrune()} condemned (Optuna's
 * {@code TrialPruned}). The study records the trial as PRUNED, with its last intermediate value as its value, and
 * goes on.
 */
public final class TrialPruned extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the signal.
     * @param message Why the trial was pruned (logged).
     */
    public TrialPruned(String message) {
        super(message);
    }
}
