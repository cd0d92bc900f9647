package org.tribuoadapt.robust.attack;

/**
 * What a gradient attack returns for each example.
 */
public enum AttackGoal {
    /**
     * Evaluation: the first point found that the classifier gets wrong (the starting point included), otherwise the
     * point the algorithm ends with. Robust accuracy is measured with this goal, as RobustBench and AutoAttack do.
     */
    MISCLASSIFY,
    /**
     * Training: the point the algorithm ends with, whether or not it is misclassified (the last PGD iterate,
     * Madry et al. 2018; the best-loss point for APGD, Croce and Hein 2020).
     */
    MAXIMISE_LOSS
}
