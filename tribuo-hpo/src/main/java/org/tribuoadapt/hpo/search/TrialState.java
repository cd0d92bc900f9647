package org.tribuoadapt.hpo.search;

/**
 * The state of a trial, with Optuna's {@code TrialState} codes as they appear in the journal.
 */
public enum TrialState {
    /** Sampled and being evaluated. */
    RUNNING(0),
    /** Evaluated; has a value. */
    COMPLETE(1),
    /** Stopped early by a pruner. */
    PRUNED(2),
    /** The objective threw or returned NaN. */
    FAIL(3),
    /** Enqueued but not started ({@code Study.enqueueTrial}, a retry of a stale trial, or Optuna's {@code enqueue_trial}). */
    WAITING(4);

    private final int code;

    TrialState(int code) {
        this.code = code;
    }

    /**
     * Optuna's code.
     * @return The integer the journal stores.
     */
    public int code() {
        return code;
    }

    /**
     * Whether the trial has ended.
     * @return True for COMPLETE, PRUNED and FAIL.
     */
    public boolean isFinished() {
        return this == COMPLETE || this == PRUNED || this == FAIL;
    }

    /**
     * The state with an Optuna code.
     * @param code The code.
     * @return The state.
     */
    public static TrialState ofCode(int code) {
        for (TrialState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown trial state code " + code + "; expected 0 to 4");
    }
}
