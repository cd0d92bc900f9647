package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The outcome of one run (one random restart) of an iterative attack, per example: the point it returns, the loss
 * there and whether a misclassified point was found. Runs are merged so that restarts only ever make the attack
 * stronger.
 */
public final class AttackRun {

    private final NDArray point;
    private final NDArray loss;
    private final NDArray found;

    private AttackRun(NDArray point, NDArray loss, NDArray found) {
        this.point = point;
        this.loss = loss;
        this.found = found;
    }

    /**
     * Tracks the first misclassified point of each example while a run proceeds.
     */
    public static final class Tracker {
        private NDArray found;
        private NDArray foundPoint;

        /**
         * Starts tracking.
         * @param start The starting points.
         */
        public Tracker(NDArray start) {
            this.found = start.getManager().zeros(new Shape(start.getShape().get(0)), DataType.BOOLEAN);
            this.foundPoint = start.duplicate();
        }

        /**
         * Records a queried point: examples misclassified there for the first time remember it.
         * @param point The points.
         * @param wrong Whether each is misclassified.
         */
        public void observe(NDArray point, NDArray wrong) {
            NDArray fresh = wrong.logicalAnd(found.logicalNot());
            NDArray updated = PerExample.select(fresh, point, foundPoint);
            NDArray nowFound = found.logicalOr(wrong);
            foundPoint.close();
            found.close();
            foundPoint = updated;
            found = nowFound;
        }

        /**
         * Ends the run.
         * @param end The point the algorithm ends with.
         * @param endLoss The loss at {@code end}.
         * @param goal What to return.
         * @return The run's outcome.
         */
        public AttackRun finish(NDArray end, NDArray endLoss, AttackGoal goal) {
            NDArray point = goal == AttackGoal.MISCLASSIFY
                    ? PerExample.select(found, foundPoint, end)
                    : end.duplicate();
            foundPoint.close();
            return new AttackRun(point, endLoss.duplicate(), found);
        }

        /**
         * Whether every example has been misclassified somewhere.
         * @return True if the attack can stop.
         */
        boolean allFound() {
            return found.all().getBoolean();
        }
    }

    /**
     * Runs an attack from several random starts and keeps, per example, the strongest result; an evaluation stops
     * early once every example is misclassified.
     * @param restarts The number of runs.
     * @param goal What the attack returns.
     * @param run One run from a fresh random start.
     * @return The adversarial points.
     */
    public static NDArray restarted(int restarts, AttackGoal goal, java.util.function.Supplier<AttackRun> run) {
        AttackRun best = run.get();
        for (int r = 1; r < restarts && !(goal == AttackGoal.MISCLASSIFY && best.allFound()); r++) {
            best = best.merge(run.get(), goal);
        }
        return best.release();
    }

    /**
     * Combines this run with a later restart: an example takes the later point if it newly succeeds, or if neither
     * succeeded (or the goal is the loss) and the later loss is higher.
     * @param later The later run.
     * @param goal What the attack returns.
     * @return The combined outcome; both inputs are closed.
     */
    AttackRun merge(AttackRun later, AttackGoal goal) {
        NDArray higher = later.loss.gt(loss);
        NDArray take;
        if (goal == AttackGoal.MISCLASSIFY) {
            NDArray neither = found.logicalOr(later.found).logicalNot();
            take = later.found.logicalAnd(found.logicalNot()).logicalOr(neither.logicalAnd(higher));
        } else {
            take = higher;
        }
        AttackRun merged = new AttackRun(
                PerExample.select(take, later.point, point),
                PerExample.select(take, later.loss, loss),
                found.logicalOr(later.found));
        close();
        later.close();
        return merged;
    }

    /**
     * Whether every example has been misclassified.
     * @return True if further restarts cannot help an evaluation.
     */
    boolean allFound() {
        return found.all().getBoolean();
    }

    private void close() {
        loss.close();
        found.close();
        point.close();
    }

    /**
     * Releases everything but the returned points.
     * @return The adversarial points.
     */
    public NDArray release() {
        loss.close();
        found.close();
        return point;
    }
}
