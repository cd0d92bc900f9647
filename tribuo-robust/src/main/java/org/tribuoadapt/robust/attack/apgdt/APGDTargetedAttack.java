package org.tribuoadapt.robust.attack.apgdt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.robust.attack.AttackChecks;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.BudgetedGradientAttack;
import org.tribuoadapt.robust.attack.PerExample;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * APGD-T, the targeted Auto-PGD of AutoAttack's standard version (Croce and Hein 2020, section 4): for each of the
 * {@code targets} most likely wrong classes of the clean input in turn (the 2nd, 3rd, ... largest logit), Auto-PGD
 * (the same step-size schedule, momentum and checkpoints as {@link APGDAttack}) maximises the
 * {@linkplain TargetedDlrLoss targeted DLR loss} towards that class. An example is broken as soon as one target run
 * misclassifies it, and later runs go on with the examples still unbroken; AutoAttack's standard version uses 9
 * targets, 100 iterations and one restart per target.
 * <p>
 * APGD-T looks for misclassification only: the loss it is given is replaced by the targeted DLR loss, and asking it
 * to maximise a loss (adversarial training) is an error. It needs at least four classes; with fewer than
 * {@code targets + 1} classes it targets every wrong class.
 */
public final class APGDTargetedAttack extends BudgetedGradientAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "apgd-t";

    private static final long serialVersionUID = 1L;

    /** The DLR loss reads the 1st, 3rd and 4th largest logits. */
    private static final int MINIMUM_CLASSES = 4;

    @Config(description = "The iteration budget N_iter of each target's run.")
    private int steps = 100;

    @Config(description = "How many of the most likely wrong classes to target, one Auto-PGD run each.")
    private int targets = 9;

    @Config(description = "The share of loss increases below which the step size is halved at a checkpoint.")
    private double rho = 0.75;

    @Config(description = "The weight a of the gradient step against the momentum term.")
    private double momentum = 0.75;

    private APGDAttack search;

    /** For OLCUT. */
    private APGDTargetedAttack() {}

    /**
     * Creates APGD-T with AutoAttack's rho and momentum.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps The iteration budget of each target's run.
     * @param targets The number of target classes.
     */
    public APGDTargetedAttack(AttackNorm norm, double epsilon, int steps, int targets) {
        this(norm, epsilon, steps, targets, 0.75, 0.75);
    }

    /**
     * Creates APGD-T.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps The iteration budget of each target's run.
     * @param targets The number of target classes.
     * @param rho The checkpoint threshold.
     * @param momentum The gradient-step weight a.
     */
    public APGDTargetedAttack(AttackNorm norm, double epsilon, int steps, int targets, double rho, double momentum) {
        this.norm = norm;
        this.epsilon = epsilon;
        this.steps = steps;
        this.targets = targets;
        this.rho = rho;
        this.momentum = momentum;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        AttackChecks.positive("targets", targets);
        // one random start per target, as in AutoAttack's standard version; APGD checks the other settings
        search = new APGDAttack(norm, epsilon, steps, rho, momentum, true, 1);
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(Locale.ROOT) + "-" + steps;
    }

    @Override
    public APGDTargetedAttack withEpsilon(double newEpsilon) {
        return new APGDTargetedAttack(norm, newEpsilon, steps, targets, rho, momentum);
    }

    /**
     * The number of targeted runs against a classifier with {@code classes} classes.
     * @param classes The number of classes.
     * @return {@code min(targets, classes - 1)}.
     */
    public int targetCount(long classes) {
        return (int) Math.min(targets, classes - 1);
    }

    /**
     * The target classes of each example, one column per run: the classes of the 2nd, 3rd, ... largest logit of
     * the classifier on the given inputs (for clean inputs, the most likely wrong classes).
     * @param classifier The attacked classifier.
     * @param inputs The inputs {@code [N, inputShape...]}.
     * @return Class ids {@code [N, targetCount(C)]}.
     * @throws IllegalArgumentException if the classifier has fewer than four classes.
     */
    public NDArray targetClasses(LogitNetwork classifier, NDArray inputs) {
        NDArray ranked;
        try (GradientMode off = GradientMode.disabled()) {
            ranked = classifier.logits(inputs).argSort(1, false);
        }
        long classes = ranked.getShape().get(1);
        if (classes < MINIMUM_CLASSES) {
            throw new IllegalArgumentException("APGD-T's DLR loss needs at least " + MINIMUM_CLASSES
                    + " classes, found " + classes);
        }
        return ranked.get(new NDIndex(":, 1:{}", 1 + targetCount(classes)));
    }

    /**
     * One Auto-PGD run that maximises the targeted DLR loss towards given classes and returns its point of highest
     * loss, misclassified or not: a targeted copy for adversarial training, as the mixing network of adaptive
     * smoothing is trained (Bai et al. 2024, section 4.2 and the reference code's APGD training), with this attack's
     * norm, budget, iterations and one random start.
     * @param classifier The attacked classifier.
     * @param inputs Clean inputs.
     * @param labels True label ids {@code [N]}.
     * @param targetClasses The target class of each example {@code [N]}, for example a column of
     * {@link #targetClasses}.
     * @param rng The random stream of the random start.
     * @return The adversarial inputs.
     */
    public NDArray perturbTowards(LogitNetwork classifier, NDArray inputs, NDArray labels, NDArray targetClasses,
                                  SplittableRandom rng) {
        AttackChecks.batch(classifier, inputs, labels);
        if (!targetClasses.getShape().equals(labels.getShape())) {
            throw new IllegalArgumentException("one target class per example is needed: labels have shape "
                    + labels.getShape() + " but the target classes " + targetClasses.getShape());
        }
        return search.perturb(classifier, inputs, labels, new TargetedDlrLoss(targetClasses),
                AttackGoal.MAXIMISE_LOSS, rng);
    }

    @Override
    public NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, AttackLoss loss,
                           AttackGoal goal, SplittableRandom rng) {
        if (goal != AttackGoal.MISCLASSIFY) {
            throw new IllegalArgumentException("APGD-T searches for misclassified points only; to maximise a loss "
                    + "(adversarial training) use APGDAttack (APGD-CE) or perturbTowards");
        }
        AttackChecks.batch(classifier, inputs, labels);
        NDArray targetClasses = targetClasses(classifier, inputs);
        long runs = targetClasses.getShape().get(1);
        NDArray result = inputs.duplicate();
        NDArray broken = inputs.getManager().zeros(new Shape(labels.getShape().get(0)),
                DataType.BOOLEAN);
        for (long k = 0; k < runs && !broken.all().getBoolean(); k++) {
            NDArray target = targetClasses.get(new NDIndex(":, {}", k));
            NDArray candidate = search.perturb(classifier, inputs, labels, new TargetedDlrLoss(target),
                    AttackGoal.MISCLASSIFY, rng);
            NDArray wrong;
            try (GradientMode off = GradientMode.disabled()) {
                wrong = classifier.logits(candidate).argMax(1).neq(labels.toType(DataType.INT64, false));
            }
            NDArray fresh = wrong.logicalAnd(broken.logicalNot());
            result = PerExample.select(fresh, candidate, result);
            broken = broken.logicalOr(wrong);
        }
        return result;
    }

    @Override
    public String toString() {
        return "APGDTargetedAttack(norm=" + norm + ",epsilon=" + epsilon + ",steps=" + steps + ",targets=" + targets
                + ",rho=" + rho + ",momentum=" + momentum + ")";
    }
}
