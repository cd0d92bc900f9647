package org.tribuoadapt.robust.attack.apgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
import org.tribuoadapt.robust.attack.PerExample;
import org.tribuoadapt.robust.attack.Probe;
import org.tribuoadapt.robust.attack.StepScope;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Auto-PGD with the cross-entropy loss, APGD-CE (Croce and Hein 2020, Algorithm 1 and section 3.2): projected
 * gradient ascent with momentum and a step size that adapts itself per example.
 * <ul>
 *   <li>The step size starts at {@code 2 * epsilon}; the first step is a plain projected gradient step.</li>
 *   <li>Later steps combine the gradient step {@code z = P(x_k + eta * d(grad))} with momentum:
 *   {@code x_{k+1} = P(x_k + a (z - x_k) + (1 - a)(x_k - x_{k-1}))}, {@code a = 0.75}.</li>
 *   <li>At the checkpoints {@code w_j = ceil(p_j * N)}, with {@code p_0 = 0}, {@code p_1 = 0.22} and
 *   {@code p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)} (computed with the reference implementation's integer
 *   windows, see {@link #checkpoints}), the step size of an example is halved, and it restarts from its best point
 *   so far, when (1) the loss increased in at most {@code rho} of the steps since the last checkpoint, or (2) the
 *   step size was not halved at the last checkpoint and the best loss has not improved since; as in the reference,
 *   condition 2 cannot fire at the first checkpoint.</li>
 *   <li>The algorithm returns the point of highest loss; when attacking for misclassification an example keeps the
 *   first misclassified point instead.</li>
 * </ul>
 * The attack starts from a random point on the sphere of radius epsilon, as the reference implementation does.
 */
public final class APGDAttack extends BudgetedGradientAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "apgd-ce";

    private static final long serialVersionUID = 1L;

    @Config(description = "The iteration budget N_iter.")
    private int steps = 100;

    @Config(description = "The share of loss increases below which the step size is halved at a checkpoint.")
    private double rho = 0.75;

    @Config(description = "The weight a of the gradient step against the momentum term.")
    private double momentum = 0.75;

    @Config(description = "Whether to start from a random point on the epsilon sphere instead of the input.")
    private boolean randomStart = true;

    @Config(description = "The number of runs from different random starts.")
    private int restarts = 1;

    /** For OLCUT. */
    private APGDAttack() {}

    /**
     * Creates APGD-CE with the paper's rho and momentum, a random start and no restarts.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps The iteration budget.
     */
    public APGDAttack(AttackNorm norm, double epsilon, int steps) {
        this(norm, epsilon, steps, 0.75, 0.75, true, 1);
    }

    /**
     * Creates APGD-CE.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps The iteration budget.
     * @param rho The checkpoint threshold.
     * @param momentum The gradient-step weight a.
     * @param randomStart Whether to start from a random point on the sphere.
     * @param restarts The number of runs.
     */
    public APGDAttack(AttackNorm norm, double epsilon, int steps, double rho, double momentum, boolean randomStart,
                      int restarts) {
        this.norm = norm;
        this.epsilon = epsilon;
        this.steps = steps;
        this.rho = rho;
        this.momentum = momentum;
        this.randomStart = randomStart;
        this.restarts = restarts;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        AttackChecks.positive("steps", steps);
        AttackChecks.positive("restarts", restarts);
        if (!(rho > 0 && rho <= 1)) {
            throw new PropertyException("", "rho", "rho must be in (0, 1], found " + rho);
        }
        if (!(momentum > 0 && momentum <= 1)) {
            throw new PropertyException("", "momentum", "momentum must be in (0, 1], found " + momentum);
        }
    }

    /**
     * The checkpoints of Croce and Hein's step-size schedule, from the integer schedule of the reference
     * implementation: the first after {@code max(floor(0.22 N), 1)} iterations, then windows that shrink by
     * {@code max(floor(0.03 N), 1)} down to {@code max(floor(0.06 N), 1)}. For N = 100 these are the paper's
     * {@code w_j = ceil(p_j N)}; for small N the integer windows differ from rounding {@code p_j N}, and the reference
     * is followed.
     * @param steps The iteration budget.
     * @return The iterations (counted from 1) after which the step size may be halved, increasing.
     */
    public static List<Integer> checkpoints(int steps) {
        int first = Math.max((int) (0.22 * steps), 1);
        int smallest = Math.max((int) (0.06 * steps), 1);
        int shrink = Math.max((int) (0.03 * steps), 1);
        List<Integer> out = new ArrayList<>();
        int window = first;
        for (int at = first; at <= steps; at += window) {
            out.add(at);
            window = Math.max(window - shrink, smallest);
        }
        return out;
    }

    /**
     * Croce and Hein's conditions at a checkpoint, as the reference implementation decides them: (1) the loss
     * increased in at most {@code rho} of the window's steps ({@code <=}, its {@code check_oscillation}), or (2) the
     * step size was not halved at the previous checkpoint and the best loss has not improved since. Before the first
     * checkpoint the step size counts as halved, so condition 2 cannot fire there.
     * @param increases The number of loss increases in the window, per example.
     * @param window The window's length.
     * @param rho The share of increases below which the step is halved.
     * @param reducedAtLast Whether each example's step size was halved at the previous checkpoint.
     * @param bestAtLast The best loss at the previous checkpoint.
     * @param best The best loss now.
     * @return Whether to halve each example's step size and restart it from its best point.
     */
    static NDArray halve(NDArray increases, int window, double rho, NDArray reducedAtLast, NDArray bestAtLast,
                         NDArray best) {
        NDArray oscillating = increases.lte((float) (rho * window));
        NDArray stalled = reducedAtLast.logicalNot().logicalAnd(bestAtLast.gte(best));
        return oscillating.logicalOr(stalled);
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(java.util.Locale.ROOT) + "-" + steps + (restarts > 1 ? "x" + restarts : "");
    }

    @Override
    public APGDAttack withEpsilon(double newEpsilon) {
        return new APGDAttack(norm, newEpsilon, steps, rho, momentum, randomStart, restarts);
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

    /** A random point on the sphere of radius epsilon around each input, or the inputs themselves. */
    private NDArray start(NDArray inputs, SplittableRandom rng) {
        if (!randomStart || epsilon == 0) {
            return inputs.duplicate();
        }
        int n = Math.toIntExact(inputs.getShape().get(0));
        int width = Math.toIntExact(inputs.size() / n);
        try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
            NDArray noise = inputs.getManager().create(norm.randomOnSphere(n, width, epsilon, rng), inputs.getShape());
            return step.keep(norm.project(inputs.add(noise), inputs, epsilon));
        }
    }

    /** The per-example state of one run; every array is replaced, never modified in place. */
    private static final class State {
        NDArray point;
        NDArray previous;
        NDArray gradient;
        NDArray loss;
        NDArray bestPoint;
        NDArray bestGradient;
        NDArray bestLoss;
        NDArray stepSize;
        NDArray increases;
        NDArray bestLossAtCheckpoint;
        NDArray reducedAtCheckpoint;

        void close() {
            for (NDArray a : new NDArray[] {point, previous, gradient, loss, bestPoint, bestGradient, bestLoss, stepSize,
                    increases, bestLossAtCheckpoint, reducedAtCheckpoint}) {
                a.close();
            }
        }
    }

    /** One run from {@code start}, which it takes over. */
    private AttackRun run(LogitNetwork classifier, NDArray inputs, NDArray start, NDArray labels, AttackLoss loss,
                          AttackGoal goal) {
        int n = Math.toIntExact(inputs.getShape().get(0));
        State s = new State();
        try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
            s.point = step.keep(start);
            s.stepSize = step.keep(inputs.getManager().full(new Shape(n), (float) (2 * epsilon)));
            s.increases = step.keep(inputs.getManager().zeros(new Shape(n)));
            // the reference's reduced_last_check starts true
            s.reducedAtCheckpoint = step.keep(inputs.getManager().ones(new Shape(n), DataType.BOOLEAN));
        }
        AttackRun.Tracker tracker = new AttackRun.Tracker(s.point);
        try (Probe probe = Probe.at(classifier, s.point, labels, loss, true)) {
            tracker.observe(s.point, probe.wrong());
            s.previous = s.point.duplicate();
            s.gradient = probe.gradient().duplicate();
            s.loss = probe.loss().duplicate();
            s.bestPoint = s.point.duplicate();
            s.bestGradient = probe.gradient().duplicate();
            s.bestLoss = probe.loss().duplicate();
            s.bestLossAtCheckpoint = probe.loss().duplicate();
        }
        List<Integer> checkpoints = checkpoints(steps);
        int lastCheckpoint = 0;
        for (int k = 1; k <= steps; k++) {
            NDArray candidate;
            try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
                NDArray eta = PerExample.column(s.stepSize, inputs.getShape());
                NDArray z = norm.project(s.point.add(norm.ascentDirection(s.gradient).mul(eta)), inputs, epsilon);
                double a = k == 1 ? 1.0 : momentum;
                NDArray moved = s.point.add(z.sub(s.point).mul((float) a)).add(s.point.sub(s.previous).mul((float) (1 - a)));
                candidate = step.keep(norm.project(moved, inputs, epsilon));
            }
            boolean last = k == steps;
            try (Probe probe = Probe.at(classifier, candidate, labels, loss, !last)) {
                tracker.observe(candidate, probe.wrong());
                advance(s, candidate, probe, last);
            }
            if (!last && checkpoints.contains(k)) {
                checkpoint(s, k - lastCheckpoint);
                lastCheckpoint = k;
            }
        }
        AttackRun run = tracker.finish(s.bestPoint, s.bestLoss, goal);
        s.close();
        return run;
    }

    /** Moves to the new iterate and updates the best point and the count of loss increases. */
    private static void advance(State s, NDArray candidate, Probe probe, boolean last) {
        try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
            NDArray improved = probe.loss().gt(s.bestLoss);
            NDArray bestPoint = step.keep(PerExample.select(improved, candidate, s.bestPoint));
            NDArray bestLoss = step.keep(PerExample.select(improved, probe.loss(), s.bestLoss));
            NDArray bestGradient = last ? null : step.keep(PerExample.select(improved, probe.gradient(), s.bestGradient));
            NDArray increases = step.keep(s.increases.add(probe.loss().gt(s.loss).toType(s.increases.getDataType(), false)));
            s.previous.close();
            s.previous = s.point;
            s.point = candidate;
            replace(s, bestPoint, bestLoss, bestGradient, increases);
            s.loss.close();
            s.loss = step.keep(probe.loss().duplicate());
            if (!last) {
                s.gradient.close();
                s.gradient = step.keep(probe.gradient().duplicate());
            }
        }
    }

    private static void replace(State s, NDArray bestPoint, NDArray bestLoss, NDArray bestGradient, NDArray increases) {
        s.bestPoint.close();
        s.bestPoint = bestPoint;
        s.bestLoss.close();
        s.bestLoss = bestLoss;
        if (bestGradient != null) {
            s.bestGradient.close();
            s.bestGradient = bestGradient;
        }
        s.increases.close();
        s.increases = increases;
    }

    /** Croce and Hein's conditions 1 and 2: halve the step size and restart from the best point where they hold. */
    private void checkpoint(State s, int window) {
        try (StepScope step = new StepScope(); GradientMode off = GradientMode.disabled()) {
            NDArray reduce = halve(s.increases, window, rho, s.reducedAtCheckpoint, s.bestLossAtCheckpoint, s.bestLoss);
            NDArray stepSize = step.keep(PerExample.select(reduce, s.stepSize.div(2f), s.stepSize));
            NDArray point = step.keep(PerExample.select(reduce, s.bestPoint, s.point));
            NDArray gradient = step.keep(PerExample.select(reduce, s.bestGradient, s.gradient));
            NDArray reduced = step.keep(reduce.duplicate());
            NDArray bestAtCheckpoint = step.keep(s.bestLoss.duplicate());
            NDArray increases = step.keep(s.increases.zerosLike());
            for (NDArray old : new NDArray[] {s.stepSize, s.point, s.gradient, s.reducedAtCheckpoint,
                    s.bestLossAtCheckpoint, s.increases}) {
                old.close();
            }
            s.stepSize = stepSize;
            s.point = point;
            s.gradient = gradient;
            s.reducedAtCheckpoint = reduced;
            s.bestLossAtCheckpoint = bestAtCheckpoint;
            s.increases = increases;
        }
    }

    @Override
    public String toString() {
        return "APGDAttack(norm=" + norm + ",epsilon=" + epsilon + ",steps=" + steps + ",rho=" + rho + ",momentum="
                + momentum + ",randomStart=" + randomStart + ",restarts=" + restarts + ")";
    }
}
