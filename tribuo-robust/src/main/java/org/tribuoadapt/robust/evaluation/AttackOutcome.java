package org.tribuoadapt.robust.evaluation;

import org.tribuoadapt.robust.attack.AttackNorm;

/**
 * The result of one attack at one budget on one model: robust accuracy counts an example as correct only when the
 * model classifies both the clean and the attacked input correctly (the RobustBench convention).
 *
 * @param attack The attack's name, e.g. {@code pgd-linf-20}.
 * @param norm The norm of the budget.
 * @param epsilon The budget.
 * @param accuracy The robust accuracy.
 * @param successRate The share of clean-correct examples that the attack made wrong.
 * @param meanPerturbation The mean norm of the perturbations.
 * @param maxPerturbation The largest norm of a perturbation (at most epsilon).
 * @param examples The number of examples attacked.
 * @param seconds The wall-clock time of the attack.
 */
public record AttackOutcome(String attack, AttackNorm norm, double epsilon, double accuracy, double successRate,
                            double meanPerturbation, double maxPerturbation, int examples, double seconds) {

    /**
     * The key of this outcome in an evaluation's metric map, e.g. {@code pgd-linf-20@0.1}.
     * @return The key.
     */
    public String key() {
        return attack + "@" + epsilon;
    }
}
