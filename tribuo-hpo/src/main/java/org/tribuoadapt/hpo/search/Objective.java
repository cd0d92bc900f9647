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
}
