package org.tribuoadapt.robust.attack.pgd;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
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
 * Projected gradient descent on the negative loss (Madry et al. 2018, equation 2 and section 2.1): from a random
 * point in the epsilon ball, take {@code steps} steps of size {@code stepSize} along the steepest-ascent direction of
 * the loss (the gradient's sign for Linf, the normalised gradient for L2), projecting back onto the ball and into
 * [0, 1] after each step. Random restarts run the whole procedure again from new starting points; an example keeps
 * the strongest result.
 * <p>
 * With a fixed step size and seed the first {@code k} steps of a longer run are those of a shorter one, so when
 * attacking for misclassification more steps never succeed on fewer examples.
 */
public final class PGDAttack extends BudgetedGradientAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "pgd";

    private static final long serialVersionUID = 1L;

    /** Madry et al.'s step size rule: {@code 2.5 * epsilon / steps}. */
    public static final double STEP_SIZE_FACTOR = 2.5;

    @Config(description = "The step size; 0 uses 2.5 * epsilon / steps (Madry et al. 2018).")
    private double stepSize = 0.0;

    @Config(description = "The number of gradient steps.")
    private int steps = 10;

    @Config(description = "Whether each run starts from a uniformly random point of the epsilon ball.")
    private boolean randomStart = true;

    @Config(description = "The number of runs from different random starts.")
    private int restarts = 1;

    /** For OLCUT. */
    private PGDAttack() {}

    /**
     * Creates a PGD attack with a random start and no restarts.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps The number of steps.
     */
    public PGDAttack(AttackNorm norm, double epsilon, int steps) {
        this(norm, epsilon, 0.0, steps, true, 1);
    }

    /**
     * Creates a PGD attack.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param stepSize The step size, or 0 for {@code 2.5 * epsilon / steps}.
     * @param steps The number of steps.
     * @param randomStart Whether to start from a random point of the ball.
     * @param restarts The number of runs.
     */
    public PGDAttack(AttackNorm norm, double epsilon, double stepSize, int steps, boolean randomStart, int restarts) {
        this.norm = norm;
        this.epsilon = epsilon;
        this.stepSize = stepSize;
        this.steps = steps;
        this.randomStart = randomStart;
        this.restarts = restarts;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        AttackChecks.positive("steps", steps);
        AttackChecks.positive("restarts", restarts);
        if (!(stepSize >= 0) || Double.isInfinite(stepSize)) {
            throw new PropertyException("", "stepSize", "stepSize must be finite and >= 0 (0 for 2.5 * epsilon / steps), found "
                    + stepSize);
        }
    }

    /**
     * The step size used: the configured one, or {@code 2.5 * epsilon / steps}.
     * @return The step size.
     */
    public double effectiveStepSize() {
        return stepSize > 0 ? stepSize : STEP_SIZE_FACTOR * epsilon / steps;
    }

    /**
     * The number of steps.
     * @return The steps.
     */
    public int steps() {
        return steps;
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(java.util.Locale.ROOT) + "-" + steps + (restarts > 1 ? "x" + restarts : "");
    }

    @Override
    public PGDAttack withEpsilon(double newEpsilon) {
        double scaled = stepSize > 0 && epsilon > 0 ? stepSize * newEpsilon / epsilon : stepSize;
        return new PGDAttack(norm, newEpsilon, scaled, steps, randomStart, restarts);
    }

    @Override
    public NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, AttackLoss loss,
                           AttackGoal goal, SplittableRandom rng) {
        AttackChecks.batch(classifier, inputs, labels);
        return AttackRun.restarted(restarts, goal, () -> run(classifier, inputs, start(inputs, rng), labels, loss, goal));
    }

    @Override
    public boolean startsFromGivenPoints() {
        return true;
    }

    @Override
    public NDArray perturbFrom(LogitNetwork classifier, NDArray inputs, NDArray start, NDArray labels, AttackLoss loss,
                               AttackGoal goal) {
        AttackChecks.batch(classifier, inputs, labels);
        return run(classifier, inputs, start.duplicate(), labels, loss, goal).release();
    }

    /** One run from {@code point}, which it takes over. */
    private AttackRun run(LogitNetwork classifier, NDArray inputs, NDArray point, NDArray labels, AttackLoss loss,
                          AttackGoal goal) {
        double alpha = effectiveStepSize();
        AttackRun.Tracker tracker = new AttackRun.Tracker(point);
        for (int t = 0; t < steps; t++) {
            try (Probe probe = Probe.at(classifier, point, labels, loss, true)) {
                tracker.observe(point, probe.wrong());
                NDArray next;
                try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
                    next = step.keep(norm.project(point.add(norm.ascentDirection(probe.gradient()).mul((float) alpha)),
                            inputs, epsilon));
                }
                point.close();
                point = next;
            }
        }
        try (Probe last = Probe.at(classifier, point, labels, loss, false)) {
            tracker.observe(point, last.wrong());
            AttackRun run = tracker.finish(point, last.loss(), goal);
            point.close();
            return run;
        }
    }

    private NDArray start(NDArray inputs, SplittableRandom rng) {
        if (!randomStart || epsilon == 0) {
            return inputs.duplicate();
        }
        int n = Math.toIntExact(inputs.getShape().get(0));
        int width = Math.toIntExact(inputs.size() / n);
        try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
            NDArray noise = inputs.getManager().create(norm.randomInBall(n, width, epsilon, rng), inputs.getShape());
            return step.keep(norm.project(inputs.add(noise), inputs, epsilon));
        }
    }

    @Override
    public String toString() {
        return "PGDAttack(norm=" + norm + ",epsilon=" + epsilon + ",stepSize=" + effectiveStepSize() + ",steps=" + steps
                + ",randomStart=" + randomStart + ",restarts=" + restarts + ")";
    }
}
