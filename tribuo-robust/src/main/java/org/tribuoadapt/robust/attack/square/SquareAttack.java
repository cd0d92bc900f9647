package org.tribuoadapt.robust.attack.square;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.robust.attack.AttackChecks;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.BlackBoxAttack;
import org.tribuoadapt.robust.attack.ProbabilityQueries;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Square attack (Andriushchenko, Croce, Flammarion and Hein 2020, Algorithms 1 to 3) under Linf or L2: a
 * score-based black-box attack that needs only the model's predicted probabilities.
 * <ul>
 *   <li>Linf starts from vertical stripes of {@code +-epsilon} (one random sign per column and channel); each
 *   iteration redraws the perturbation on one random square window, with side {@code round(sqrt(p * H * W))}, to
 *   {@code +-epsilon} (one random sign per channel).</li>
 *   <li>L2 starts from a grid of centred "pseudo-Gaussian" squares with random signs, scaled to norm epsilon; each
 *   iteration adds such a square to one window of odd side {@code max(3, round(sqrt(p * H * W)))}, empties a second
 *   window and rescales so that the perturbation keeps L2 norm epsilon ({@link SquareL2}).</li>
 *   <li>A candidate is queried and kept if the margin loss {@code log p_y - max_{k != y} log p_k} (the logit margin,
 *   since log-probabilities differ from logits by a constant) decreased.</li>
 *   <li>The share {@code p} starts at {@code pInit} and is halved after 10, 50, 200, 500, 1000, 2000, 4000, 6000 and
 *   8000 iterations, a schedule meant for 10000 queries and, with {@code rescaleSchedule} (the reference's
 *   {@code resc_schedule}), rescaled to the query budget. AutoAttack runs it with 5000 queries and no rescaling.</li>
 *   <li>An example stops as soon as it is misclassified (margin below 0), so it spends at most {@code queries}
 *   queries, the initial one included.</li>
 * </ul>
 * Inputs are read in the model's feature-id order and laid out as {@code [channels, height, width]}. Besides any
 * Tribuo model, it attacks a {@link LogitNetwork} through its scores only
 * ({@link #perturb(LogitNetwork, NDArray, NDArray, SplittableRandom)}), as AutoAttack does.
 */
public final class SquareAttack implements BlackBoxAttack {

    /** The attack's family name, the prefix of {@link #name()}. */
    public static final String NAME = "square";

    private static final long serialVersionUID = 1L;

    private static final int[] SCHEDULE = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
    private static final int MAX_REDRAWS = 16;

    @Config(description = "The norm of the budget.")
    private AttackNorm norm = AttackNorm.LINF;

    @Config(description = "The perturbation budget.")
    private double epsilon = 0.1;

    @Config(description = "The query budget per example, the initial query included.")
    private int queries = 1000;

    @Config(description = "The initial share p of pixels a square covers (0.8 in AutoAttack, 0.05 in the paper's ImageNet runs).")
    private double pInit = 0.8;

    @Config(description = "Whether the p schedule, written for 10000 queries, is rescaled to the query budget.")
    private boolean rescaleSchedule = true;

    @Config(description = "Image channels of the model's inputs.")
    private int channels = 1;

    @Config(description = "Image height of the model's inputs.")
    private int height = 28;

    @Config(description = "Image width of the model's inputs.")
    private int width = 28;

    @Config(description = "Examples attacked, and queried, together.")
    private int batchSize = 256;

    /** For OLCUT. */
    private SquareAttack() {}

    /**
     * Creates the attack with AutoAttack's {@code pInit = 0.8}.
     * @param epsilon The Linf budget.
     * @param queries The query budget per example.
     * @param channels Image channels.
     * @param height Image height.
     * @param width Image width.
     */
    public SquareAttack(double epsilon, int queries, int channels, int height, int width) {
        this(epsilon, queries, 0.8, channels, height, width, 256);
    }

    /**
     * Creates the attack under a norm, with AutoAttack's {@code pInit = 0.8} and the schedule rescaled to the budget.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param queries The query budget per example.
     * @param channels Image channels.
     * @param height Image height.
     * @param width Image width.
     */
    public SquareAttack(AttackNorm norm, double epsilon, int queries, int channels, int height, int width) {
        this(norm, epsilon, queries, 0.8, true, channels, height, width, 256);
    }

    /**
     * Creates the attack.
     * @param epsilon The Linf budget.
     * @param queries The query budget per example.
     * @param pInit The initial share of pixels per square.
     * @param channels Image channels.
     * @param height Image height.
     * @param width Image width.
     * @param batchSize Examples attacked together.
     */
    public SquareAttack(double epsilon, int queries, double pInit, int channels, int height, int width, int batchSize) {
        this(AttackNorm.LINF, epsilon, queries, pInit, true, channels, height, width, batchSize);
    }

    /**
     * Creates the attack.
     * @param norm The norm.
     * @param epsilon The budget.
     * @param queries The query budget per example.
     * @param pInit The initial share of pixels per square.
     * @param rescaleSchedule Whether the p schedule is rescaled from 10000 queries to the budget.
     * @param channels Image channels.
     * @param height Image height.
     * @param width Image width.
     * @param batchSize Examples attacked together.
     */
    public SquareAttack(AttackNorm norm, double epsilon, int queries, double pInit, boolean rescaleSchedule, int channels,
                        int height, int width, int batchSize) {
        this.norm = norm;
        this.rescaleSchedule = rescaleSchedule;
        this.epsilon = epsilon;
        this.queries = queries;
        this.pInit = pInit;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.batchSize = batchSize;
        postConfig();
    }

    @Override
    public void postConfig() {
        AttackChecks.epsilon(epsilon);
        AttackChecks.positive("queries", queries);
        AttackChecks.positive("channels", channels);
        AttackChecks.positive("height", height);
        AttackChecks.positive("width", width);
        AttackChecks.positive("batchSize", batchSize);
        if (!(pInit > 0 && pInit <= 1)) {
            throw new PropertyException("", "pInit", "pInit must be in (0, 1], found " + pInit);
        }
    }

    @Override
    public String name() {
        return NAME + "-" + norm.name().toLowerCase(Locale.ROOT) + "-" + queries;
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
    public SquareAttack withEpsilon(double newEpsilon) {
        return new SquareAttack(norm, newEpsilon, queries, pInit, rescaleSchedule, channels, height, width, batchSize);
    }

    /**
     * The share of pixels a square covers at an iteration: {@code pInit} halved at each schedule point passed,
     * with the schedule rescaled from 10000 iterations to the query budget if {@code rescaleSchedule} is set.
     * @param iteration The iteration, from 1.
     * @return The share p.
     */
    double share(int iteration) {
        int scaled = rescaleSchedule ? (int) ((long) iteration * 10000 / queries) : iteration;
        double p = pInit;
        for (int point : SCHEDULE) {
            if (scaled > point) {
                p /= 2;
            }
        }
        return p;
    }

    @Override
    public List<Example<Label>> perturb(Model<Label> model, List<Example<Label>> examples, SplittableRandom rng) {
        ProbabilityQueries queries = new ProbabilityQueries(model, "the Square attack", channels, height, width);
        List<Example<Label>> out = new ArrayList<>(examples.size());
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<Example<Label>> chunk = examples.subList(from, Math.min(examples.size(), from + batchSize));
            out.addAll(attackChunk(queries, chunk, rng));
        }
        return out;
    }

    private List<Example<Label>> attackChunk(ProbabilityQueries queries, List<Example<Label>> chunk,
                                             SplittableRandom rng) {
        int size = queries.imageSize();
        int[] labels = queries.labelIds(chunk);
        Search search = search(queries.tensorizer().toArray(chunk), chunk.size(),
                (values, which) -> margins(queries, chunk, values, which, labels), rng);
        List<Example<Label>> out = new ArrayList<>(chunk.size());
        for (int i = 0; i < chunk.size(); i++) {
            out.add(queries.example(chunk.get(i).getOutput(), search.points(), i * size));
        }
        return out;
    }

    /**
     * Attacks a network through its scores alone, as AutoAttack runs the Square attack: the margin is
     * {@code z_y - max_{k != y} z_k} of the scores the network returns, and no gradient is computed.
     * @param classifier The attacked classifier; its input must hold {@code channels * height * width} values.
     * @param inputs Clean inputs {@code [N, inputShape...]} in [0, 1].
     * @param labels True label ids {@code [N]}.
     * @param rng The random stream.
     * @return Adversarial inputs of the same shape, in [0, 1] and within epsilon of the inputs.
     * @throws IllegalArgumentException if the shapes of inputs, labels, classifier and configured image disagree.
     */
    public NDArray perturb(LogitNetwork classifier, NDArray inputs, NDArray labels, SplittableRandom rng) {
        AttackChecks.batch(classifier, inputs, labels);
        int size = channels * height * width;
        if (classifier.inputShape().size() != size) {
            throw new IllegalArgumentException("the Square attack is configured for " + channels + "x" + height + "x"
                    + width + " images but the classifier takes inputs of shape " + classifier.inputShape());
        }
        NDManager manager = inputs.getManager();
        long[] ids = labels.toType(DataType.INT64, false).toLongArray();
        Shape exampleShape = inputs.getShape().slice(1);
        MarginOracle oracle = (values, which) -> {
            try (NDManager query = manager.newSubManager(); GradientMode off = GradientMode.disabled()) {
                NDArray batch = query.create(Arrays.copyOf(values, which.length * size),
                        new Shape(which.length).addAll(exampleShape));
                float[] scores = classifier.logits(batch).toFloatArray();
                int classes = scores.length / which.length;
                double[] out = new double[which.length];
                for (int a = 0; a < which.length; a++) {
                    int own = (int) ids[which[a]];
                    double other = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < classes; k++) {
                        if (k != own) {
                            other = Math.max(other, scores[a * classes + k]);
                        }
                    }
                    out[a] = scores[a * classes + own] - other;
                }
                return out;
            }
        };
        Search search = search(inputs.toFloatArray(), (int) inputs.getShape().get(0), oracle, rng);
        return manager.create(search.points(), inputs.getShape());
    }

    /**
     * The margin of each queried example: positive while the model still classifies it correctly.
     */
    @FunctionalInterface
    interface MarginOracle {
        /**
         * Queries the model once for each listed example.
         * @param values The candidate points, {@code which.length} examples one after the other (the array may be
         * longer).
         * @param which The index of each candidate's example in the attacked batch.
         * @return The margins.
         */
        double[] margins(float[] values, int[] which);
    }

    /**
     * The outcome of a search.
     * @param points The final point of each example, one after the other.
     * @param queries The queries each example spent, the initial one included.
     */
    record Search(float[] points, int[] queries) {}

    /**
     * The attack on a batch held as a Java array, for any model behind an oracle.
     * @param clean The clean points, {@code n} examples of {@code channels * height * width} values.
     * @param n The number of examples.
     * @param oracle The model.
     * @param rng The random stream.
     * @return The final points and the query counts.
     */
    Search search(float[] clean, int n, MarginOracle oracle, SplittableRandom rng) {
        int size = channels * height * width;
        SquareL2 l2 = new SquareL2(channels, height, width);
        float[] current = new float[clean.length];
        for (int i = 0; i < n; i++) {
            if (norm == AttackNorm.LINF) {
                initialiseStripes(clean, current, i * size, rng);
            } else {
                l2.initialise(clean, current, i * size, epsilon, rng);
            }
        }
        int[] spent = new int[n];
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
            spent[i] = 1;
        }
        double[] margins = oracle.margins(current, all);
        for (int iteration = 1; iteration < queries; iteration++) {
            int[] active = stillCorrect(margins);
            if (active.length == 0) {
                break;
            }
            int side = sideLength(share(iteration));
            float[] candidates = new float[active.length * size];
            for (int a = 0; a < active.length; a++) {
                if (norm == AttackNorm.LINF) {
                    drawSquare(clean, current, active[a] * size, candidates, a * size, side, rng);
                } else {
                    l2.propose(clean, current, active[a] * size, candidates, a * size, side, epsilon, rng);
                }
            }
            double[] candidateMargins = oracle.margins(candidates, active);
            for (int a = 0; a < active.length; a++) {
                int i = active[a];
                spent[i]++;
                if (candidateMargins[a] < margins[i]) {
                    margins[i] = candidateMargins[a];
                    System.arraycopy(candidates, a * size, current, i * size, size);
                }
            }
        }
        return new Search(current, spent);
    }

    /** The Linf start: vertical stripes of {@code +-epsilon}, one random sign per column and channel. */
    private void initialiseStripes(float[] clean, float[] current, int from, SplittableRandom rng) {
        for (int c = 0; c < channels; c++) {
            for (int col = 0; col < width; col++) {
                float sign = rng.nextBoolean() ? 1f : -1f;
                for (int row = 0; row < height; row++) {
                    int at = from + index(c, row, col);
                    current[at] = clamp(clean[at] + sign * (float) epsilon);
                }
            }
        }
    }

    /** Redraws one random square of an example's perturbation so that at least one value changes. */
    private void drawSquare(float[] clean, float[] current, int from, float[] target, int to, int side, SplittableRandom rng) {
        int size = channels * height * width;
        System.arraycopy(current, from, target, to, size);
        int top = rng.nextInt(height - side + 1);
        int left = rng.nextInt(width - side + 1);
        for (int attempt = 0; attempt < MAX_REDRAWS; attempt++) {
            boolean changed = false;
            for (int c = 0; c < channels; c++) {
                float sign = rng.nextBoolean() ? 1f : -1f;
                for (int row = top; row < top + side; row++) {
                    for (int col = left; col < left + side; col++) {
                        int at = index(c, row, col);
                        float value = clamp(clean[from + at] + sign * (float) epsilon);
                        changed |= Math.abs(value - current[from + at]) > 1e-7f;
                        target[to + at] = value;
                    }
                }
            }
            if (changed) {
                return;
            }
        }
    }

    /**
     * The side of the squares for a share p: {@code round(sqrt(p * H * W))}, at least 1 and below the image side for
     * Linf; at least 3 and odd for L2 (the reference implementation's choice), at most the image side.
     */
    int sideLength(double p) {
        int side = (int) Math.round(Math.sqrt(p * height * width));
        int smallest = Math.min(height, width);
        if (norm == AttackNorm.LINF) {
            return Math.max(1, Math.min(side, Math.max(1, smallest - 1)));
        }
        side = Math.max(side, 3);
        if (side % 2 == 0) {
            side++;
        }
        return Math.min(side, smallest);
    }

    private int index(int channel, int row, int col) {
        return (channel * height + row) * width + col;
    }

    private float clamp(float v) {
        return Math.min(1f, Math.max(0f, v));
    }

    private static int[] stillCorrect(double[] margins) {
        int count = 0;
        for (double m : margins) {
            if (m > 0) {
                count++;
            }
        }
        int[] out = new int[count];
        int j = 0;
        for (int i = 0; i < margins.length; i++) {
            if (margins[i] > 0) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** Queries the model once for each listed example and returns its margin. */
    private static double[] margins(ProbabilityQueries queries, List<Example<Label>> chunk, float[] values, int[] which,
                                    int[] labels) {
        List<Label> outputs = new ArrayList<>(which.length);
        for (int a : which) {
            outputs.add(chunk.get(a).getOutput());
        }
        double[] probabilities = queries.probabilities(values, outputs);
        int classes = queries.classes();
        double[] out = new double[which.length];
        for (int a = 0; a < which.length; a++) {
            int own = labels[which[a]];
            double other = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                if (k != own) {
                    other = Math.max(other, Math.log(probabilities[a * classes + k]));
                }
            }
            out[a] = Math.log(probabilities[a * classes + own]) - other;
        }
        return out;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Attack");
    }

    @Override
    public String toString() {
        return "SquareAttack(norm=" + norm + ",epsilon=" + epsilon + ",queries=" + queries + ",pInit=" + pInit + ",rescaleSchedule=" + rescaleSchedule + ",shape=[" + channels + ","
                + height + "," + width + "],batchSize=" + batchSize + ")";
    }
}
