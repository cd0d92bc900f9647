package org.tribuoadapt.tta.da.paretoda;

import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.tta.method.ModelOutputs;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Trains Pareto Domain Adaptation (Lv, Liang, Gong, Li, Liu, Li, Liu and Wang 2021, "Pareto Domain Adaptation",
 * NeurIPS) on labelled source and unlabelled target data, on top of a frozen source network's features.
 * <p>
 * The network is a shared ReLU bottleneck and a linear classifier ({@link DaObjectives}). Each step draws a source,
 * a target and a held-out target batch, computes the gradients of the three objectives (source cross-entropy,
 * Deep CORAL alignment, target TCM loss) and updates
 * <ul>
 *     <li>the shared bottleneck along {@code m * sum_i alpha_i g_i}, with {@code alpha} from the
 *     {@link DirectionRule}: by default ParetoDA's direction search guided by the gradient of the TCM loss on the
 *     held-out target batch ({@link ParetoDirection#guided}); the factor {@code m = 3} makes equal weights 1 each,
 *     as in the reference code;</li>
 *     <li>the classifier along the source cross-entropy's gradient alone, as the reference code trains its
 *     task-specific layers on the source and transfer losses (the alignment loss does not reach the classifier).</li>
 * </ul>
 * Plain SGD with L2 weight decay on the weight matrices; the weights start from a He-normal bottleneck and a
 * normal(0, 1/h) classifier drawn from {@code seed}, and the held-out split ({@code validationFraction} of the
 * target, 10% in the paper) and the batches are drawn from it too, so the same seed gives identical weights.
 * <p>
 * Differences from the paper, by choice: the alignment loss is Deep CORAL instead of DANN's adversarial loss (no
 * discriminator and no gradient reversal, so the three gradients are exact and training deterministic); the TCM
 * loss uses the classifier's own predictions, without the paper's Bayes refinement by class-wise domain
 * discriminators; the direction search always keeps a common descent direction, where the reference code's
 * balancing step lets objectives whose gradients oppose the held-out loss's increase; and only the small network
 * over frozen features is trained, not the backbone.
 */
public final class ParetoDaTrainer implements Configurable, Provenancable<ConfiguredObjectProvenance> {

    /** The number of objectives: source classification, domain alignment, target prediction. */
    public static final int OBJECTIVES = 3;

    /** Examples per forward pass through the feature extractor. */
    private static final int EXTRACTION_BATCH = 256;

    @Config(description = "How the objectives' gradients are weighted on the shared layer: GUIDED (ParetoDA), "
            + "MIN_NORM (MGDA) or FIXED.")
    private DirectionRule rule = DirectionRule.GUIDED;

    @Config(description = "The weights of source classification, alignment and target prediction under the FIXED "
            + "rule.")
    private double[] fixedWeights = {1, 1, 1};

    @Config(description = "Units of the shared bottleneck layer.")
    private int bottleneckWidth = 64;

    @Config(description = "SGD steps.")
    private int steps = 400;

    @Config(description = "Examples per source, target and held-out target batch.")
    private int batchSize = 64;

    @Config(description = "The SGD learning rate.")
    private double learningRate = 0.05;

    @Config(description = "The L2 weight decay on the weight matrices.")
    private double l2 = 1e-4;

    @Config(description = "The fraction of the target data held out to guide the direction search.")
    private double validationFraction = 0.1;

    @Config(description = "The seed of the initial weights, the held-out split and the batches.")
    private long seed = 1L;

    /** For OLCUT. */
    private ParetoDaTrainer() {}

    /**
     * Creates a trainer.
     * @param rule How the objectives are weighted on the shared layer.
     * @param fixedWeights The three weights under {@link DirectionRule#FIXED} (ignored otherwise, but recorded).
     * @param bottleneckWidth Units of the shared layer.
     * @param steps SGD steps.
     * @param batchSize Examples per batch.
     * @param learningRate The SGD learning rate.
     * @param l2 The weight decay.
     * @param validationFraction The held-out fraction of the target data.
     * @param seed The seed.
     */
    public ParetoDaTrainer(DirectionRule rule, double[] fixedWeights, int bottleneckWidth, int steps, int batchSize,
                           double learningRate, double l2, double validationFraction, long seed) {
        this.rule = rule;
        this.fixedWeights = fixedWeights.clone();
        this.bottleneckWidth = bottleneckWidth;
        this.steps = steps;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.l2 = l2;
        this.validationFraction = validationFraction;
        this.seed = seed;
        postConfig();
    }

    /**
     * A trainer with the default settings (64 bottleneck units, 400 steps of 64, learning rate 0.05, L2 1e-4, 10%
     * held out) and the given rule; under {@link DirectionRule#FIXED} the weights are 1, 1, 1.
     * @param rule The direction rule.
     * @param seed The seed.
     * @return The trainer.
     */
    public static ParetoDaTrainer withDefaults(DirectionRule rule, long seed) {
        return new ParetoDaTrainer(rule, new double[] {1, 1, 1}, 64, 400, 64, 0.05, 1e-4, 0.1, seed);
    }

    @Override
    public void postConfig() {
        if (rule == null) {
            throw new PropertyException("", "rule", "a direction rule is required");
        }
        if (fixedWeights == null || fixedWeights.length != OBJECTIVES) {
            throw new PropertyException("", "fixedWeights", "fixedWeights needs " + OBJECTIVES + " values, found "
                    + (fixedWeights == null ? 0 : fixedWeights.length));
        }
        for (double w : fixedWeights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new PropertyException("", "fixedWeights", "fixed weights must be finite and >= 0, found "
                        + Arrays.toString(fixedWeights));
            }
        }
        if (bottleneckWidth < 1) {
            throw new PropertyException("", "bottleneckWidth", "bottleneckWidth must be at least 1, found "
                    + bottleneckWidth);
        }
        if (steps < 1) {
            throw new PropertyException("", "steps", "steps must be at least 1, found " + steps);
        }
        if (batchSize < 2) {
            throw new PropertyException("", "batchSize", "the alignment loss needs batches of at least 2, found "
                    + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new PropertyException("", "learningRate", "learningRate must be finite and > 0, found "
                    + learningRate);
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new PropertyException("", "l2", "l2 must be finite and >= 0, found " + l2);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new PropertyException("", "validationFraction", "validationFraction must be in (0, 1), found "
                    + validationFraction);
        }
    }

    /**
     * Extracts the frozen source network's features of the source and target inputs, then trains.
     * @param outputs The source network, whose features the model reads.
     * @param source Labelled source inputs.
     * @param target Unlabelled target inputs (their labels are not read), of the same example shape.
     * @return The trained model.
     */
    public ParetoDaModel train(ModelOutputs outputs, TensorDataset source, TensorDataset target) {
        if (source.size() == 0 || target.size() == 0) {
            throw new IllegalArgumentException("ParetoDA needs labelled source and unlabelled target examples, found "
                    + source.size() + " source and " + target.size() + " target");
        }
        if (!source.exampleShape().equals(target.exampleShape())) {
            throw new IllegalArgumentException("the source examples have shape " + source.exampleShape()
                    + " but the target examples have shape " + target.exampleShape());
        }
        ModelOutputs.Outputs sourceFeatures = outputs.runInBatches(inputs(source), source.size(), EXTRACTION_BATCH);
        ModelOutputs.Outputs targetFeatures = outputs.runInBatches(inputs(target), target.size(), EXTRACTION_BATCH);
        return train(sourceFeatures.features(), source.labels(), targetFeatures.features(),
                sourceFeatures.featureWidth(), outputs.numClasses());
    }

    private static float[] inputs(TensorDataset data) {
        try (NDManager manager = DjlRuntime.newManager()) {
            return data.features(manager, Evaluation.range(0, data.size())).toFloatArray();
        }
    }

    /**
     * Trains on features.
     * @param sourceFeatures {@code sourceLabels.length * width} source features.
     * @param sourceLabels The source label ids, in {@code [0, classes)}.
     * @param targetFeatures Target features, {@code width} per example.
     * @param width The number of features per example.
     * @param classes The number of classes.
     * @return The trained model.
     */
    public ParetoDaModel train(float[] sourceFeatures, int[] sourceLabels, float[] targetFeatures, int width,
                               int classes) {
        if (width < 1 || classes < 2) {
            throw new IllegalArgumentException("ParetoDA needs at least 1 feature and 2 classes, found " + width
                    + " features and " + classes + " classes");
        }
        int nSource = sourceLabels.length;
        if (nSource < 2) {
            throw new IllegalArgumentException("ParetoDA needs at least 2 labelled source examples, found " + nSource);
        }
        checkFeatures(sourceFeatures, nSource, width, "source features");
        if (targetFeatures.length % width != 0) {
            throw new IllegalArgumentException("the target features have " + targetFeatures.length
                    + " values, which is not a whole number of examples of " + width + " features (the source's "
                    + "feature space)");
        }
        int nTarget = targetFeatures.length / width;
        checkFeatures(targetFeatures, nTarget, width, "target features");
        for (int i = 0; i < nSource; i++) {
            if (sourceLabels[i] < 0 || sourceLabels[i] >= classes) {
                throw new IllegalArgumentException("source label " + sourceLabels[i] + " of example " + i
                        + " is not one of the " + classes + " classes");
            }
        }
        int nHeldOut = (int) Math.ceil(validationFraction * nTarget);
        if (nHeldOut < 2 || nTarget - nHeldOut < 2) {
            throw new IllegalArgumentException("ParetoDA needs at least 2 target examples for training and 2 held "
                    + "out (validationFraction " + validationFraction + "), found " + nTarget + " target examples");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int[] order = TensorDataset.permutation(nTarget, rng);
        float[] heldOut = rows(targetFeatures, Arrays.copyOfRange(order, 0, nHeldOut), width);
        float[] targetTrain = rows(targetFeatures, Arrays.copyOfRange(order, nHeldOut, nTarget), width);

        int h = bottleneckWidth;
        double[] w1 = normal(h * width, Math.sqrt(2.0 / width), rng);
        double[] b1 = new double[h];
        double[] w2 = normal(classes * h, Math.sqrt(1.0 / h), rng);
        double[] b2 = new double[classes];
        DaObjectives network = new DaObjectives(w1, b1, w2, b2, width, h, classes);
        BatchCycle sourceBatches = new BatchCycle(nSource, Math.min(batchSize, nSource), rng.split());
        BatchCycle targetBatches = new BatchCycle(nTarget - nHeldOut, Math.min(batchSize, nTarget - nHeldOut),
                rng.split());
        BatchCycle heldOutBatches = new BatchCycle(nHeldOut, Math.min(batchSize, nHeldOut), rng.split());
        double[] weightSums = new double[OBJECTIVES];
        for (int step = 0; step < steps; step++) {
            int[] s = sourceBatches.next();
            int[] labels = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                labels[i] = sourceLabels[s[i]];
            }
            DaObjectives.Pass sourcePass = network.forward(rows(sourceFeatures, s, width), s.length);
            int[] t = targetBatches.next();
            DaObjectives.Pass targetPass = network.forward(rows(targetTrain, t, width), t.length);
            DaObjectives.Gradient[] g = {network.crossEntropy(sourcePass, labels),
                network.coral(sourcePass, targetPass), network.tcm(targetPass)};
            double[] weights = objectiveWeights(network, g, heldOut, heldOutBatches, width);
            for (int i = 0; i < OBJECTIVES; i++) {
                weightSums[i] += weights[i];
            }
            for (int j = 0; j < w1.length; j++) {
                double d = l2 * w1[j];
                for (int i = 0; i < OBJECTIVES; i++) {
                    d += weights[i] * g[i].w1()[j];
                }
                w1[j] -= learningRate * d;
            }
            for (int k = 0; k < h; k++) {
                double d = 0;
                for (int i = 0; i < OBJECTIVES; i++) {
                    d += weights[i] * g[i].b1()[k];
                }
                b1[k] -= learningRate * d;
            }
            for (int j = 0; j < w2.length; j++) {
                w2[j] -= learningRate * (g[0].w2()[j] + l2 * w2[j]);
            }
            for (int c = 0; c < classes; c++) {
                b2[c] -= learningRate * g[0].b2()[c];
            }
            checkFinite(w1, step);
            checkFinite(w2, step);
        }
        for (int i = 0; i < OBJECTIVES; i++) {
            weightSums[i] /= steps;
        }
        return new ParetoDaModel(width, h, classes, w1, b1, w2, b2, weightSums, getProvenance());
    }

    /** The weights of the three gradients on the shared layer at one step, scaled so that equal weights are 1. */
    private double[] objectiveWeights(DaObjectives network, DaObjectives.Gradient[] g, float[] heldOut,
                                      BatchCycle heldOutBatches, int width) {
        if (rule == DirectionRule.FIXED) {
            return fixedWeights.clone();
        }
        double[][] gram = new double[OBJECTIVES][OBJECTIVES];
        for (int i = 0; i < OBJECTIVES; i++) {
            for (int j = 0; j <= i; j++) {
                gram[i][j] = g[i].sharedDot(g[j]);
                gram[j][i] = gram[i][j];
            }
        }
        double[] alpha;
        if (rule == DirectionRule.GUIDED) {
            int[] v = heldOutBatches.next();
            DaObjectives.Gradient guide = network.tcm(network.forward(rows(heldOut, v, width), v.length));
            double[] products = new double[OBJECTIVES];
            for (int i = 0; i < OBJECTIVES; i++) {
                products[i] = g[i].sharedDot(guide);
            }
            alpha = ParetoDirection.guided(gram, products);
        } else {
            alpha = ParetoDirection.minNorm(gram);
        }
        for (int i = 0; i < OBJECTIVES; i++) {
            alpha[i] *= OBJECTIVES;
        }
        return alpha;
    }

    /**
     * Checks a block of features.
     * @param features The values.
     * @param n The number of examples.
     * @param width The features per example.
     * @param what What the values are, for the message.
     */
    static void checkFeatures(float[] features, int n, int width, String what) {
        if (n < 1) {
            throw new IllegalArgumentException("the " + what + " are empty");
        }
        if ((long) n * width != features.length) {
            throw new IllegalArgumentException("the " + what + " have " + features.length + " values, not " + n
                    + " examples of " + width + " features");
        }
        for (int j = 0; j < features.length; j++) {
            if (!Float.isFinite(features[j])) {
                throw new IllegalArgumentException("feature " + (j % width) + " of example " + (j / width)
                        + " of the " + what + " is " + features[j]);
            }
        }
    }

    private static void checkFinite(double[] weights, int step) {
        for (double w : weights) {
            if (!Double.isFinite(w)) {
                throw new IllegalStateException("ParetoDA's weights became " + w + " at step " + step
                        + "; lower the learning rate");
            }
        }
    }

    private static float[] rows(float[] values, int[] indices, int width) {
        float[] out = new float[indices.length * width];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(values, indices[i] * width, out, i * width, width);
        }
        return out;
    }

    private static double[] normal(int n, double std, SplittableRandom rng) {
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            // Box-Muller from two uniforms of the seeded stream
            double u = 1 - rng.nextDouble();
            out[j] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
        }
        return out;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "ParetoDaTrainer");
    }

    @Override
    public String toString() {
        return "ParetoDaTrainer(rule=" + rule + ",fixedWeights=" + Arrays.toString(fixedWeights) + ",bottleneck="
                + bottleneckWidth + ",steps=" + steps + ",batchSize=" + batchSize + ",learningRate=" + learningRate
                + ",l2=" + l2 + ",validationFraction=" + validationFraction + ",seed=" + seed + ")";
    }
}
