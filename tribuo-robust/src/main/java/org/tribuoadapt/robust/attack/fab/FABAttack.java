package org.tribuoadapt.robust.attack.fab;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import org.tribuoadapt.robust.attack.BudgetedGradientAttack;
import org.tribuoadapt.robust.attack.PerExample;
import org.tribuoadapt.robust.attack.Probe;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * FAB-T, the targeted Fast Adaptive Boundary attack of AutoAttack's standard version (Croce and Hein 2020,
 * "Minimally distorted adversarial examples with a fast adaptive boundary attack", Algorithm 1, and the reference
 * implementation's targeted FAB). It looks for the adversarial example of smallest Linf or L2 norm and counts it
 * against the budget epsilon.
 * <ul>
 *   <li>For each of the {@code targets} most likely wrong classes {@code t} of the clean input in turn (the 2nd, 3rd,
 *   ... largest logit), a run linearises the boundary {@code z_t = z_y} at the current iterate {@code x1}: the
 *   hyperplane {@code <g, z> = <g, x1> - f} with {@code f = z_t - z_y} and {@code g} its input gradient.</li>
 *   <li>It projects both {@code x1} and the clean input {@code x0} onto that hyperplane intersected with the box
 *   [0, 1] ({@link BoxedHyperplaneProjection}), steps {@code d1} and {@code d2}, and moves to the biased combination
 *   {@code clip((x1 + eta d1)(1 - a) + (x0 + eta d2) a)}, with {@code a = min(|d1| / (|d1| + |d2|), alphaMax)}, which
 *   overshoots the boundary by {@code eta} and leans towards the clean input.</li>
 *   <li>Whenever the iterate is misclassified it is kept if it is the closest so far, and the iterate steps back
 *   towards the clean input, {@code x1 = x0 + beta (x1 - x0)}, so that later steps look for closer points.</li>
 *   <li>The first run of a target starts at the clean input; further runs ({@code restarts > 1}) start at a random
 *   point at distance {@code epsilon / 2} from it (uniform values scaled to that Linf norm, or a Gaussian direction
 *   scaled to that L2 norm), clipped to the box.</li>
 * </ul>
 * An example counts as broken when the closest misclassified point lies within epsilon; the attack then returns that
 * point, otherwise the clean input, and later targets go on with the examples still unbroken. Examples that are
 * misclassified already are returned as they are. FAB-T looks for misclassification only.
 */
public final class FABAttack extends BudgetedGradientAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "fab-t";

    private static final long serialVersionUID = 1L;

    /** The floor of a step's norm in the bias towards the clean input, as in the reference implementation. */
    private static final double NORM_FLOOR = 1e-8;

    @Config(description = "The iterations of each target's run.")
    private int steps = 100;

    @Config(description = "How many of the most likely wrong classes to target, in turn.")
    private int targets = 9;

    @Config(description = "Runs per target; runs after the first start at a random point.")
    private int restarts = 1;

    @Config(description = "The largest weight alpha_max of the step from the clean input.")
    private double alphaMax = 0.1;

    @Config(description = "The overshoot eta of the projection steps (at least 1).")
    private double eta = 1.05;

    @Config(description = "The backward step beta towards the clean input after a success, in (0, 1).")
    private double beta = 0.9;

    /** For OLCUT. */
    private FABAttack() {}

    /**
     * Creates FAB-T with AutoAttack's alphaMax 0.1, eta 1.05, beta 0.9 and one restart.
     * @param norm The norm (Linf or L2).
     * @param epsilon The budget.
     * @param steps The iterations of each target's run.
     * @param targets The number of target classes.
     */
    public FABAttack(AttackNorm norm, double epsilon, int steps, int targets) {
        this(norm, epsilon, steps, targets, 1, 0.1, 1.05, 0.9);
    }

    /**
     * Creates FAB-T.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps The iterations of each target's run.
     * @param targets The number of target classes.
     * @param restarts Runs per target.
     * @param alphaMax The largest weight of the step from the clean input.
     * @param eta The overshoot.
     * @param beta The backward step.
     */
    public FABAttack(AttackNorm norm, double epsilon, int steps, int targets, int restarts, double alphaMax, double eta,
                     double beta) {
        this.norm = norm;
        this.epsilon = epsilon;
        this.steps = steps;
        this.targets = targets;
        this.restarts = restarts;
        this.alphaMax = alphaMax;
        this.eta = eta;
        this.beta = beta;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        AttackChecks.positive("steps", steps);
        AttackChecks.positive("targets", targets);
        AttackChecks.positive("restarts", restarts);
        if (!(alphaMax >= 0 && alphaMax <= 1)) {
            throw new PropertyException("", "alphaMax", "alphaMax must be in [0, 1], found " + alphaMax);
        }
        if (!(eta >= 1) || Double.isInfinite(eta)) {
            throw new PropertyException("", "eta", "eta must be finite and at least 1, found " + eta);
        }
        if (!(beta > 0 && beta < 1)) {
            throw new PropertyException("", "beta", "beta must be in (0, 1), found " + beta);
        }
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(Locale.ROOT) + "-" + steps;
    }

    @Override
    public FABAttack withEpsilon(double newEpsilon) {
        return new FABAttack(norm, newEpsilon, steps, targets, restarts, alphaMax, eta, beta);
    }

    @Override
    public NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, AttackLoss loss,
                           AttackGoal goal, SplittableRandom rng) {
        if (goal != AttackGoal.MISCLASSIFY) {
            throw new IllegalArgumentException("FAB-T searches for minimal misclassified points only; to maximise a "
                    + "loss (adversarial training) use APGDAttack (APGD-CE)");
        }
        AttackChecks.batch(classifier, inputs, labels);
        int n = (int) inputs.getShape().get(0);
        int size = (int) classifier.inputShape().size();
        long[] truth = labels.toType(DataType.INT64, false).toLongArray();
        long[] ranked;
        int classes;
        try (GradientMode off = GradientMode.disabled()) {
            NDArray order = classifier.logits(inputs).argSort(1, false);
            classes = (int) order.getShape().get(1);
            ranked = order.toLongArray();
        }
        if (classes < 2) {
            throw new IllegalArgumentException("FAB-T needs at least 2 classes, found " + classes);
        }
        float[] clean = inputs.toFloatArray();
        float[] result = clean.clone();
        boolean[] unbroken = new boolean[n];
        for (int i = 0; i < n; i++) {
            unbroken[i] = ranked[i * classes] == truth[i];
        }
        int runs = Math.min(targets, classes - 1);
        for (int k = 1; k <= runs; k++) {
            for (int restart = 0; restart < restarts; restart++) {
                int[] active = PerExample.indicesOf(unbroken);
                if (active.length == 0) {
                    return inputs.getManager().create(result, inputs.getShape());
                }
                float[] x0 = new float[active.length * size];
                long[] activeLabels = new long[active.length];
                long[] activeTargets = new long[active.length];
                for (int a = 0; a < active.length; a++) {
                    System.arraycopy(clean, active[a] * size, x0, a * size, size);
                    activeLabels[a] = truth[active[a]];
                    activeTargets[a] = ranked[active[a] * classes + k];
                }
                Closest closest = run(classifier, inputs.getManager(), inputs.getShape().slice(1), x0, activeLabels,
                        activeTargets, restart == 0 ? null : rng);
                for (int a = 0; a < active.length; a++) {
                    if (closest.norms[a] <= epsilon) {
                        System.arraycopy(closest.points, a * size, result, active[a] * size, size);
                        unbroken[active[a]] = false;
                    }
                }
            }
        }
        return inputs.getManager().create(result, inputs.getShape());
    }

    /**
     * The closest misclassified point of each example that one run found.
     * @param points The points, one example after the other (the clean input where none was found).
     * @param norms Their distances to the clean inputs, infinite where none was found.
     */
    private record Closest(float[] points, double[] norms) {}

    /** One run of FAB towards fixed targets, from the clean inputs or (with a random stream) a random start. */
    private Closest run(LogitNetwork classifier, NDManager parent, Shape exampleShape, float[] x0, long[] labels,
                        long[] targetClasses, SplittableRandom randomStart) {
        int m = labels.length;
        int size = x0.length / m;
        float[] x1 = x0.clone();
        if (randomStart != null) {
            float[] offsets = norm.randomOnSphere(m, size, epsilon / 2, randomStart);
            for (int i = 0; i < x1.length; i++) {
                x1[i] = clip(x0[i] + offsets[i]);
            }
        }
        float[] best = x0.clone();
        double[] bestNorms = new double[m];
        Arrays.fill(bestNorms, Double.POSITIVE_INFINITY);
        Shape batchShape = new Shape(m).addAll(exampleShape);
        for (int iteration = 0; iteration < steps; iteration++) {
            try (NDManager step = parent.newSubManager()) {
                NDArray labelArray = step.create(labels);
                NDArray targetArray = step.create(targetClasses);
                AttackLoss towardsTarget = (logits, y) -> logits.gather(targetArray.reshape(-1, 1), 1).reshape(-1)
                        .sub(logits.gather(y.reshape(-1, 1), 1).reshape(-1));
                float[] gaps;
                float[] gradients;
                try (Probe probe = Probe.at(classifier, step.create(x1, batchShape), labelArray, towardsTarget, true)) {
                    gaps = probe.loss().toFloatArray();
                    gradients = probe.gradient().toFloatArray();
                }
                for (int a = 0; a < m; a++) {
                    moveTowardsBoundary(x0, x1, a * size, size, gaps[a], gradients);
                }
                long[] predicted;
                try (GradientMode off = GradientMode.disabled()) {
                    predicted = classifier.logits(step.create(x1, batchShape)).argMax(1).toLongArray();
                }
                for (int a = 0; a < m; a++) {
                    if (predicted[a] == labels[a]) {
                        continue;
                    }
                    int from = a * size;
                    double distance = norm.measure(difference(x1, x0, from, size), 0, size);
                    if (distance < bestNorms[a]) {
                        bestNorms[a] = distance;
                        System.arraycopy(x1, from, best, from, size);
                    }
                    for (int i = from; i < from + size; i++) {
                        x1[i] = (float) (x0[i] + beta * (x1[i] - x0[i]));
                    }
                }
            }
        }
        return new Closest(best, bestNorms);
    }

    /**
     * One FAB step for one example: projects the iterate and the clean input onto the linearised boundary in the box
     * and moves the iterate to the biased, overshooting combination of the two projections.
     */
    private void moveTowardsBoundary(float[] x0, float[] x1, int from, int size, double gap, float[] gradients) {
        double[] normal = new double[size];
        double offset = -gap;
        for (int i = 0; i < size; i++) {
            normal[i] = gradients[from + i];
            offset += normal[i] * x1[from + i];
        }
        double[] fromIterate = BoxedHyperplaneProjection.project(norm, x1, from, normal, offset);
        double[] fromClean = BoxedHyperplaneProjection.project(norm, x0, from, normal, offset);
        double a1 = Math.max(length(fromIterate), NORM_FLOOR);
        double a2 = Math.max(length(fromClean), NORM_FLOOR);
        double alpha = Math.min(a1 / (a1 + a2), alphaMax);
        for (int i = 0; i < size; i++) {
            double next = (x1[from + i] + eta * fromIterate[i]) * (1 - alpha) + (x0[from + i] + eta * fromClean[i]) * alpha;
            x1[from + i] = clip((float) next);
        }
    }

    private double length(double[] step) {
        double total = 0;
        for (double v : step) {
            total = norm == AttackNorm.LINF ? Math.max(total, Math.abs(v)) : total + v * v;
        }
        return norm == AttackNorm.LINF ? total : Math.sqrt(total);
    }

    private static float[] difference(float[] x1, float[] x0, int from, int size) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = x1[from + i] - x0[from + i];
        }
        return out;
    }

    private static float clip(float v) {
        return Math.min(1f, Math.max(0f, v));
    }

    @Override
    public String toString() {
        return "FABAttack(norm=" + norm + ",epsilon=" + epsilon + ",steps=" + steps + ",targets=" + targets
                + ",restarts=" + restarts + ",alphaMax=" + alphaMax + ",eta=" + eta + ",beta=" + beta + ")";
    }
}
