package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.model.LogitNetwork;

import java.util.SplittableRandom;

/**
 * A white-box attack that follows input gradients of a {@link LogitNetwork}. Whole batches are attacked
 * at once.
 */
public interface GradientAttack extends Attack {

    /**
     * Crafts adversarial examples for a batch.
     * @param classifier The attacked classifier.
     * @param inputs Clean inputs {@code [N, inputShape...]} in [0, 1].
     * @param labels True label ids {@code [N]}.
     * @param loss The per-example objective to maximise.
     * @param goal Whether to stop tracking an example once it is misclassified (evaluation) or to return the
     * algorithm's final point (training).
     * @param rng The random stream for random starts.
     * @return Adversarial inputs of the same shape, in [0, 1] and within epsilon of the inputs.
     * @throws IllegalArgumentException if the shapes of inputs, labels and classifier disagree.
     */
    NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, AttackLoss loss,
                    AttackGoal goal, SplittableRandom rng);

    /**
     * Whether {@link #perturbFrom} works: the attack can start from points it is given.
     * @return True if it can.
     */
    default boolean startsFromGivenPoints() {
        return false;
    }

    /**
     * Crafts adversarial examples in one run from given starting points instead of the attack's own (random start,
     * restarts): TRADES starts its inner maximisation at {@code x + 0.001 N(0, 1)} whatever attack does it (Zhang et
     * al. 2019, the reference implementation's {@code trades_loss}). The points the attack moves to are projected
     * onto the budget around {@code inputs}; the start itself need not lie inside it.
     * @param classifier The attacked classifier.
     * @param inputs Clean inputs {@code [N, inputShape...]} in [0, 1], the centre of the budget.
     * @param start Where the run starts, of the same shape.
     * @param labels True label ids {@code [N]}.
     * @param loss The per-example objective to maximise.
     * @param goal What to return (see {@link #perturb}).
     * @return Adversarial inputs of the same shape, in [0, 1] and within epsilon of the inputs.
     * @throws UnsupportedOperationException if the attack cannot start from given points.
     */
    default NDArray perturbFrom(LogitNetwork classifier, NDArray inputs, NDArray start, NDArray labels, AttackLoss loss,
                                AttackGoal goal) {
        throw new UnsupportedOperationException(name() + " cannot start from given points; PGD, APGD-CE and FGSM can");
    }

    /**
     * Crafts adversarial examples that maximise the cross-entropy, for evaluation.
     * @param classifier The attacked classifier.
     * @param inputs Clean inputs.
     * @param labels True label ids.
     * @param rng The random stream.
     * @return Adversarial inputs.
     */
    default NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, SplittableRandom rng) {
        return perturb(classifier, inputs, labels, AttackLoss.CROSS_ENTROPY, AttackGoal.MISCLASSIFY, rng);
    }

    @Override
    GradientAttack withEpsilon(double epsilon);
}
