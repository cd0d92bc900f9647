package org.tribuoadapt.hpo.search.journal;

/**
 * The operation codes of Optuna 3.1's {@code JournalOperation}, the {@code op_code} of every journal line.
 */
enum JournalOperation {
    CREATE_STUDY,
    DELETE_STUDY,
    SET_STUDY_USER_ATTR,
    SET_STUDY_SYSTEM_ATTR,
    CREATE_TRIAL,
    SET_TRIAL_PARAM,
    SET_TRIAL_STATE_VALUES,
    SET_TRIAL_INTERMEDIATE_VALUE,
    SET_TRIAL_USER_ATTR,
    SET_TRIAL_SYSTEM_ATTR;

    /** @return The code (the ordinal, as in Optuna). */
    int code() {
        return ordinal();
    }

    static JournalOperation ofCode(int code) {
        if (code < 0 || code >= values().length) {
            throw new IllegalArgumentException("unknown journal op_code " + code + "; Optuna 3.1 uses 0 to 9");
        }
        return values()[code];
    }
}
