package org.tribuoadapt.tta.da.paretoda;

/**
 * How {@link ParetoDaTrainer} weights the objectives' gradients on the shared layer at each step.
 */
public enum DirectionRule {
    /**
     * ParetoDA's target-prediction-guided Pareto direction ({@link ParetoDirection#guided}): the common descent
     * direction best aligned with the gradient of the target loss on held-out target data.
     */
    GUIDED,
    /** The min-norm point of the gradients' convex hull ({@link ParetoDirection#minNorm}), unguided (MGDA). */
    MIN_NORM,
    /** The trainer's fixed weights: a plain weighted sum of the losses (weights 1, 0, 0 train on the source alone). */
    FIXED
}
