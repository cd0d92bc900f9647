package org.tribuoadapt.robust.attack.fgsm;

import ai.djl.ndarray.NDArray;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.robust.attack.AttackChecks;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.AttackRun;
import org.tribuoadapt.robust.attack.BudgetedGradientAttack;
import org.tribuoadapt.robust.attack.Probe;
import org.tribuoadapt.robust.attack.StepScope;

import java.util.SplittableRandom;

/**
 * The fast gradient sign method (Goodfellow, Shlens and Szegedy 2015, equation 3): one step of size epsilon along
 * the sign of the loss gradient, {@code x + epsilon * sign(grad_x L)}, clipped to [0, 1]. Under the L2 norm the step
 * follows the normalised gradient instead (the fast gradient method).
 */
public final class FGSMAttack extends BudgetedGradientAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "fgsm";

    private static final long serialVersionUID = 1L;

    /** For OLCUT. */
    private FGSMAttack() {}

    /**
     * Creates the attack.
     * @param norm The norm.
     * @param epsilon The budget.
     */
    public FGSMAttack(AttackNorm norm, double epsilon) {
        this.norm = norm;
        this.epsilon = epsilon;
        postConfig();
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public FGSMAttack withEpsilon(double newEpsilon) {
        return new FGSMAttack(norm, newEpsilon);
    }

    @Override
    public NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, AttackLoss loss,
                           AttackGoal goal, SplittableRandom rng) {
        AttackChecks.batch(classifier, inputs, labels);
        return step(classifier, inputs, inputs, labels, loss, goal);
    }

    @Override
    public boolean startsFromGivenPoints() {
        return true;
    }

    @Override
    public NDArray perturbFrom(LogitNetwork classifier, NDArray inputs, NDArray start, NDArray labels, AttackLoss loss,
                               AttackGoal goal) {
        AttackChecks.batch(classifier, inputs, labels);
        return step(classifier, inputs, start, labels, loss, goal);
    }

    /** The single signed-gradient step from {@code from}, projected onto the budget around {@code inputs}. */
    private NDArray step(LogitNetwork classifier, NDArray inputs, NDArray from, NDArray labels, AttackLoss loss,
                         AttackGoal goal) {
        AttackRun.Tracker tracker = new AttackRun.Tracker(from);
        NDArray point;
        try (Probe probe = Probe.at(classifier, from, labels, loss, true)) {
            tracker.observe(from, probe.wrong());
            try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
                point = step.keep(norm.project(from.add(norm.ascentDirection(probe.gradient()).mul((float) epsilon)),
                        inputs, epsilon));
            }
        }
        try (Probe last = Probe.at(classifier, point, labels, loss, false)) {
            tracker.observe(point, last.wrong());
            NDArray out = tracker.finish(point, last.loss(), goal).release();
            point.close();
            return out;
        }
    }

    @Override
    public String toString() {
        return "FGSMAttack(norm=" + norm + ",epsilon=" + epsilon + ")";
    }
}
