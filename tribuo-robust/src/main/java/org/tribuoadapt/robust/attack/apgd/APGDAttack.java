package org.tribuoadapt.robust.attack.apgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.robust.attack.AttackChecks;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.AttackRun;
import org.tribuoadapt.robust.attack.GradientAttack;
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
 *   {@code p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)}, the step size of an example is halved, and it
 *   restarts from its best point so far, when (1) the loss increased in fewer than {@code rho} of the steps since
 *   the last checkpoint, or (2) the step size was not halved at the last checkpoint and the best loss has not
 *   improved since.</li>
 *   <li>The algorithm returns the point of highest loss; when attacking for misclassification an example keeps the
 *   first misclassified point instead.</li>
 * </ul>
 * The attack starts from a random point on the sphere of radius epsilon, as the reference implementation does.
 */
public final class APGDAttack implements GradientAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "apgd-ce";

    private static final long serialVersionUID = 1L;

    @Config(description = "The norm of the budget.")
    private AttackNorm norm = AttackNorm.LINF;

    @Config(description = "The perturbation budget.")
    private double epsilon = 0.1;

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
        AttackChecks.epsilon(epsilon);
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
     * The checkpoints {@code w_j = ceil(p_j * steps)} of Croce and Hein's step-size schedule, in increasing order.
     * @param steps The iteration budget.
     * @return The iterations at which the step size may be halved.
     */
    public static List<Integer> checkpoints(int steps) {
        List<Integer> out = new ArrayList<>();
        double previous = 0;
        double current = 0.22;
        while (current <= 1) {
            // the tolerance keeps rounding noise in p_j (0.22 + 0.19 = 0.41000000000000003) out of the ceiling
            int w = (int) Math.ceil(current * steps - 1e-9);
            if (w >= 1 && w <= steps && (out.isEmpty() || w > out.get(out.size() - 1))) {
                out.add(w);
            }
            double next = current + Math.max(current - previous - 0.03, 0.06);
            previous = current;
            current = next;
        }
        return out;
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(java.util.Locale.ROOT) + "-" + steps + (restarts > 1 ? "x" + restarts : "");
    }

    @Override
    public AttackNorm norm() {
        return norm;
    }

    @Override
    public double epsilon() {
        return epsilon;
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
            s.reducedAtCheckpoint = step.keep(inputs.getManager().zeros(new Shape(n),
                    DataType.BOOLEAN));
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
            NDArray oscillating = s.increases.lt((float) (rho * window));
            NDArray stalled = s.reducedAtCheckpoint.logicalNot().logicalAnd(s.bestLossAtCheckpoint.gte(s.bestLoss));
            NDArray reduce = oscillating.logicalOr(stalled);
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
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Attack");
    }

    @Override
    public String toString() {
        return "APGDAttack(norm=" + norm + ",epsilon=" + epsilon + ",steps=" + steps + ",rho=" + rho + ",momentum="
                + momentum + ",randomStart=" + randomStart + ",restarts=" + restarts + ")";
    }
}
