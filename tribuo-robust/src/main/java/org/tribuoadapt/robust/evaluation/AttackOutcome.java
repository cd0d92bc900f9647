package org.tribuoadapt.robust.evaluation;

import org.tribuoadapt.robust.attack.AttackNorm;

import java.util.List;

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
 * @param stages For a {@link org.tribuoadapt.robust.attack.StagedAttack} (AutoAttack), what each stage did, in
 * order; empty for a single attack.
 */
public record AttackOutcome(String attack, AttackNorm norm, double epsilon, double accuracy, double successRate,
                            double meanPerturbation, double maxPerturbation, int examples, double seconds,
                            List<StageOutcome> stages) {

    /**
     * Copies the stages.
     */
    public AttackOutcome {
        stages = List.copyOf(stages);
    }

    /**
     * What one stage of a staged attack did: AutoAttack reports the robust accuracy after each of its attacks.
     * @param attack The stage's attack name, e.g. {@code apgd-ce-linf-100}.
     * @param broken The examples, classified correctly until then, that this stage misclassified.
     * @param accuracy The robust accuracy after this stage (and the stages before it).
     */
    public record StageOutcome(String attack, int broken, double accuracy) {}

    /**
     * The key of this outcome in an evaluation's metric map, e.g. {@code pgd-linf-20@0.1}.
     * @return The key.
     */
    public String key() {
        return attack + "@" + epsilon;
    }
}
