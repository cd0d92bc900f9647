package org.tribuoadapt.hpo.search;

/**
 * What a study optimises: a search space and a function of one trial's values.
 */
public interface Objective {

    /**
     * The properties to search.
     * @return The space.
     */
    SearchSpace space();

    /**
     * Evaluates one trial. Throwing or returning NaN fails the trial; the study goes on.
     * @param trial The trial, with its sampled parameters.
     * @return The objective value.
     * @throws Exception If the evaluation fails.
     */
    double evaluate(ActiveTrial trial) throws Exception;

    /** The evaluation of an objective, as a lambda. */
    @FunctionalInterface
    interface TrialFunction {
        /**
         * Evaluates one trial.
         * @param trial The trial.
         * @return The objective value.
         * @throws Exception If the evaluation fails.
         */
        double evaluate(ActiveTrial trial) throws Exception;
    }

    /**
     * An objective from a space and a function, like Optuna's plain objective functions.
     * @param space The space.
     * @param function The evaluation.
     * @return The objective.
     */
    static Objective of(SearchSpace space, TrialFunction function) {
        return new Objective() {
            @Override
            public SearchSpace space() {
                return space;
            }

            @Override
            public double evaluate(ActiveTrial trial) throws Exception {
                return function.evaluate(trial);
            }
        };
    }
}
