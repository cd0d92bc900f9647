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

    /**
     * Evaluates one trial of a study with any number of objectives, which is what {@link Study#optimize} calls.
     * Throwing, returning NaN in any objective, or returning another number of values than the study has objectives
     * fails the trial. The default is the single value of {@link #evaluate}.
     * @param trial The trial, with its sampled parameters.
     * @return One value per objective of the study.
     * @throws Exception If the evaluation fails.
     */
    default double[] evaluateAll(ActiveTrial trial) throws Exception {
        return new double[] {evaluate(trial)};
    }

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

    /** The evaluation of a multi-objective objective, as a lambda. */
    @FunctionalInterface
    interface MultiTrialFunction {
        /**
         * Evaluates one trial.
         * @param trial The trial.
         * @return One value per objective.
         * @throws Exception If the evaluation fails.
         */
        double[] evaluate(ActiveTrial trial) throws Exception;
    }

    /**
     * A multi-objective objective from a space and a function returning one value per objective, like Optuna's
     * objective functions that return a tuple. Its {@link #evaluate} gives the value of a single-valued result and
     * refuses the others.
     * @param space The space.
     * @param function The evaluation.
     * @return The objective.
     */
    static Objective ofValues(SearchSpace space, MultiTrialFunction function) {
        return new Objective() {
            @Override
            public SearchSpace space() {
                return space;
            }

            @Override
            public double evaluate(ActiveTrial trial) throws Exception {
                double[] values = function.evaluate(trial);
                if (values.length != 1) {
                    throw new IllegalStateException("the objective returned " + values.length
                            + " values where a single value was asked for");
                }
                return values[0];
            }

            @Override
            public double[] evaluateAll(ActiveTrial trial) throws Exception {
                return function.evaluate(trial);
            }
        };
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
