package org.tribuoadapt.hpo.search;

import java.util.List;

/**
 * Pareto dominance between trials of a multi-objective study, with the rules of Optuna 3.1's
 * {@code optuna.study._multi_objective}: only COMPLETE trials dominate, every COMPLETE trial dominates an unfinished
 * one, and a COMPLETE trial dominates another when it is no worse in every objective and the two differ (a missing
 * value counts as infinitely bad).
 */
public final class Pareto {

    private Pareto() {}

    /**
     * Whether one trial dominates another (Optuna's {@code _dominates}).
     * @param a A trial.
     * @param b Another trial.
     * @param directions The study's directions.
     * @return True if {@code a} dominates {@code b}.
     */
    public static boolean dominates(Trial a, Trial b, List<Direction> directions) {
        if (a.state() != TrialState.COMPLETE) {
            return false;
        }
        if (b.state() != TrialState.COMPLETE) {
            return true;
        }
        double[] la = losses(a, directions);
        double[] lb = losses(b, directions);
        boolean differ = false;
        for (int i = 0; i < la.length; i++) {
            if (la[i] > lb[i]) {
                return false;
            }
            differ |= la[i] != lb[i];
        }
        return differ;
    }

    /**
     * The objective values of a trial as losses: negated when maximised, +infinity when missing.
     * @param trial The trial.
     * @param directions The study's directions.
     * @return One loss per objective.
     * @throws IllegalArgumentException If the trial has another number of values than there are objectives.
     */
    public static double[] losses(Trial trial, List<Direction> directions) {
        double[] losses = new double[directions.size()];
        List<Double> values = trial.values();
        if (values != null && values.size() != directions.size()) {
            throw new IllegalArgumentException("trial " + trial.number() + " has " + values.size()
                    + " objective values but the study has " + directions.size() + " objectives");
        }
        for (int i = 0; i < losses.length; i++) {
            losses[i] = values == null ? Double.POSITIVE_INFINITY : directions.get(i).loss(values.get(i));
        }
        return losses;
    }

    /**
     * The Pareto front (Optuna's {@code study.best_trials}): the COMPLETE trials that no other trial dominates, by
     * number.
     * @param trials The study's trials.
     * @param directions The study's directions.
     * @return The non-dominated COMPLETE trials, in the order given.
     */
    public static List<Trial> front(List<Trial> trials, List<Direction> directions) {
        List<Trial> complete = trials.stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
        return complete.stream().filter(t -> complete.stream().noneMatch(o -> dominates(o, t, directions))).toList();
    }
}
