package org.tribuoadapt.robust.attack.autoattack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import org.tribuoadapt.robust.attack.GradientAttack;
import org.tribuoadapt.robust.attack.PerExample;
import org.tribuoadapt.robust.attack.StagedAttack;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.robust.attack.fab.FABAttack;
import org.tribuoadapt.robust.attack.square.SquareAttack;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * AutoAttack's standard version (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble
 * of diverse parameter-free attacks", section 5, and the reference implementation's {@code version='standard'}) under
 * Linf or L2, the settings being the same for both norms:
 * <ol>
 *   <li>APGD-CE ({@link APGDAttack}): {@code steps} iterations, one random start, rho and momentum 0.75;</li>
 *   <li>APGD-T ({@link APGDTargetedAttack}): {@code targets} target classes, one run of {@code steps} iterations
 *   each;</li>
 *   <li>FAB-T ({@link FABAttack}): {@code targets} target classes, one run of {@code steps} iterations each;</li>
 *   <li>Square ({@link SquareAttack}): {@code squareQueries} queries of the classifier's scores, {@code p_init}
 *   0.8, the p schedule not rescaled to the budget (the reference's {@code resc_schedule=False}).</li>
 * </ol>
 * Each attack runs only on the examples that are still classified correctly, and an example keeps the first
 * misclassified point found. The stage that broke each example is reported ({@link StagedAttack}), so an evaluation
 * records the robust accuracy after every stage. It needs at least four classes (APGD-T's DLR loss). The Square attack
 * lays inputs out as {@code [channels, height, width]}: a classifier with image inputs gives the layout; a flat input
 * of {@code channels * s * s} values is read as square images with the configured {@code channels}.
 */
public final class AutoAttack extends BudgetedGradientAttack implements StagedAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "autoattack";

    private static final long serialVersionUID = 1L;

    /** The initial share of pixels of the Square attack in AutoAttack. */
    private static final double SQUARE_P_INIT = 0.8;

    @Config(description = "Iterations of APGD-CE, and of APGD-T's and FAB-T's run per target (100 in the standard version).")
    private int steps = 100;

    @Config(description = "Target classes of APGD-T and FAB-T (9 in the standard version).")
    private int targets = 9;

    @Config(description = "Queries of the Square attack (5000 in the standard version).")
    private int squareQueries = 5000;

    @Config(description = "Image channels of flat inputs, to lay them out for the Square attack.")
    private int channels = 1;

    /** For OLCUT. */
    private AutoAttack() {}

    /**
     * Creates AutoAttack's standard version.
     * @param norm The norm (Linf or L2).
     * @param epsilon The budget.
     */
    public AutoAttack(AttackNorm norm, double epsilon) {
        this(norm, epsilon, 100, 9, 5000, 1);
    }

    /**
     * Creates AutoAttack with smaller budgets than the standard version's (for quick checks).
     * @param norm The norm.
     * @param epsilon The budget.
     * @param steps Iterations of APGD-CE and of APGD-T's and FAB-T's run per target.
     * @param targets Target classes of APGD-T and FAB-T.
     * @param squareQueries Queries of the Square attack.
     * @param channels Image channels of flat inputs.
     */
    public AutoAttack(AttackNorm norm, double epsilon, int steps, int targets, int squareQueries, int channels) {
        this.norm = norm;
        this.epsilon = epsilon;
        this.steps = steps;
        this.targets = targets;
        this.squareQueries = squareQueries;
        this.channels = channels;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        AttackChecks.positive("steps", steps);
        AttackChecks.positive("targets", targets);
        AttackChecks.positive("squareQueries", squareQueries);
        AttackChecks.positive("channels", channels);
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public AutoAttack withEpsilon(double newEpsilon) {
        return new AutoAttack(norm, newEpsilon, steps, targets, squareQueries, channels);
    }

    /**
     * The four attacks with this configuration, the Square attack laid out for an input shape.
     * @param inputShape The classifier's input shape.
     * @return APGD-CE, APGD-T, FAB-T and Square.
     */
    private List<GradientAttackStage> stages(Shape inputShape) {
        int[] image = imageShape(inputShape);
        SquareAttack square = new SquareAttack(norm, epsilon, squareQueries, SQUARE_P_INIT, false, image[0], image[1],
                image[2], 256);
        return List.of(
                new GradientAttackStage(new APGDAttack(norm, epsilon, steps, 0.75, 0.75, true, 1)),
                new GradientAttackStage(new APGDTargetedAttack(norm, epsilon, steps, targets)),
                new GradientAttackStage(new FABAttack(norm, epsilon, steps, targets)),
                new GradientAttackStage(square.name(), square::perturb));
    }

    @Override
    public List<String> stageNames() {
        return stages(new Shape(channels, 1, 1)).stream().map(GradientAttackStage::name).toList();
    }

    private int[] imageShape(Shape inputShape) {
        if (inputShape.dimension() == 3) {
            return new int[] {(int) inputShape.get(0), (int) inputShape.get(1), (int) inputShape.get(2)};
        }
        if (inputShape.dimension() == 2) {
            return new int[] {1, (int) inputShape.get(0), (int) inputShape.get(1)};
        }
        long perChannel = inputShape.size() / channels;
        int side = (int) Math.round(Math.sqrt(perChannel));
        if (inputShape.dimension() != 1 || perChannel * channels != inputShape.size() || (long) side * side != perChannel) {
            throw new IllegalArgumentException("AutoAttack's Square attack needs image inputs, but the classifier takes "
                    + inputShape + ", which is not " + channels + " square channel(s); set channels or use a "
                    + "classifier with [channels, height, width] inputs");
        }
        return new int[] {channels, side, side};
    }

    @Override
    public NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, AttackLoss loss,
                           AttackGoal goal, SplittableRandom rng) {
        if (goal != AttackGoal.MISCLASSIFY) {
            throw new IllegalArgumentException("AutoAttack evaluates robustness only; to maximise a loss "
                    + "(adversarial training) use APGDAttack (APGD-CE)");
        }
        return perturbInStages(classifier, inputs, labels, rng).adversarial();
    }

    @Override
    public Result perturbInStages(LogitNetwork classifier, NDArray inputs, NDArray labels, SplittableRandom rng) {
        AttackChecks.batch(classifier, inputs, labels);
        List<GradientAttackStage> stages = stages(classifier.inputShape());
        NDManager manager = inputs.getManager();
        int n = (int) inputs.getShape().get(0);
        int size = (int) classifier.inputShape().size();
        long[] truth = labels.toType(DataType.INT64, false).toLongArray();
        float[] result = inputs.toFloatArray();
        boolean[] correct = correctlyClassified(classifier, inputs, truth);
        int[] brokenBy = new int[n];
        Arrays.fill(brokenBy, NOT_BROKEN);
        for (int s = 0; s < stages.size(); s++) {
            int[] active = PerExample.indicesOf(correct);
            if (active.length == 0) {
                break;
            }
            try (NDManager stage = manager.newSubManager()) {
                Shape batchShape = new Shape(active.length).addAll(classifier.inputShape());
                float[] clean = new float[active.length * size];
                long[] activeLabels = new long[active.length];
                for (int a = 0; a < active.length; a++) {
                    System.arraycopy(result, active[a] * size, clean, a * size, size);
                    activeLabels[a] = truth[active[a]];
                }
                NDArray adversarial = stages.get(s).attack().perturb(classifier, stage.create(clean, batchShape),
                        stage.create(activeLabels), rng);
                boolean[] stillCorrect = correctlyClassified(classifier, adversarial, activeLabels);
                float[] points = adversarial.toFloatArray();
                for (int a = 0; a < active.length; a++) {
                    if (!stillCorrect[a]) {
                        System.arraycopy(points, a * size, result, active[a] * size, size);
                        correct[active[a]] = false;
                        brokenBy[active[a]] = s;
                    }
                }
            }
        }
        return new Result(manager.create(result, inputs.getShape()), brokenBy);
    }

    /** Runs one of the four attacks on the still-robust examples. */
    @FunctionalInterface
    private interface StageAttack {
        NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, SplittableRandom rng);
    }

    /** A named stage. */
    private record GradientAttackStage(String name, StageAttack attack) {
        GradientAttackStage(GradientAttack attack) {
            this(attack.name(), attack::perturb);
        }
    }

    private static boolean[] correctlyClassified(LogitNetwork classifier, NDArray points, long[] truth) {
        long[] predicted;
        try (GradientMode off = GradientMode.disabled()) {
            predicted = classifier.logits(points).argMax(1).toLongArray();
        }
        boolean[] out = new boolean[truth.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = predicted[i] == truth[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "AutoAttack(norm=" + norm + ",epsilon=" + epsilon + ",steps=" + steps + ",targets=" + targets
                + ",squareQueries=" + squareQueries + ",channels=" + channels + ")";
    }
}
