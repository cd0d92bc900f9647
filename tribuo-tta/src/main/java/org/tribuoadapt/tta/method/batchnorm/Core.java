package org.tribuoadapt.tta.method.batchnorm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.NormAffineMethod;
import org.tribuoadapt.tta.method.NormAffineSession;
import org.tribuoadapt.tta.method.NormLayers;

import java.util.ArrayList;
import java.util.List;

/**
 * Core (You, Li and Zhao 2021, "Test-time Batch Statistics Calibration for Covariate Shift", arXiv 2110.04065):
 * alpha-BN ({@link AlphaBatchNorm}: every BatchNorm layer normalises with {@code (1 - alpha) source + alpha test-batch}
 * statistics) plus an online loss on the pairwise class correlation of the batch's predictions, minimised by
 * {@code steps} optimiser steps per batch on the normalisation layers' affine parameters. With the batch's softmax
 * predictions {@code P} ({@code [N, C]}),
 * <pre>
 *   M = P^T P,   Mn_jk = M_jk / sum_l M_jl,   L = (1/C) sum_j sum_{k != j} Mn_jk = 1 - trace(Mn) / C,
 * </pre>
 * so the loss is the share of the batch's class correlation that falls between different classes: it is 0 when
 * every prediction is one-hot and approaches {@code 1 - 1/C} when the predictions are uniform. Unlike entropy
 * minimisation it looks at the batch as a whole, penalising pairs of classes that the model confuses with each other.
 * <p>
 * What is implemented and why: the paper's abstract names the loss ("pairwise class correlation online
 * optimisation") but its equation could not be read from any source at hand. The form above is the row-normalised
 * class-correlation matrix of the batch predictions with its off-diagonal mass minimised, i.e. the class-confusion
 * loss of Jin et al. (2020, "Minimum Class Confusion for Versatile Domain Adaptation") without that paper's
 * temperature and entropy-based sample weights. A confidence-guided choice of alpha was not found in the paper's
 * text either; alpha is the fixed weight of alpha-BN. A row of {@code M} whose class has no probability mass in the
 * batch (possible only when softmax underflows) is divided by {@value #EPSILON} instead of 0 and adds no loss.
 * <p>
 * Defaults: alpha = 0.1 (as {@link AlphaBatchNorm}), Adam with learning rate 1e-3 and one step per batch (Tent's
 * CIFAR settings). The prediction is the output of the forward pass that computes the loss, as in Tent.
 */
public final class Core extends NormAffineMethod {

    /** The method's name. */
    public static final String NAME = "core";

    /** The smallest row sum of the class-correlation matrix that the loss divides by. */
    static final double EPSILON = 1e-12;

    @Config(description = "Weight of the test-batch statistics in the BatchNorm layers, in [0, 1] (alpha-BN).")
    private double alpha = 0.1;

    @Config(description = "Optimiser steps per batch, at least 1.")
    private int steps = 1;

    /** For OLCUT. */
    private Core() {
        super(new AdamOptimiserFactory(1e-3));
    }

    /**
     * Creates Core with alpha = 0.1, Adam (lr 1e-3), one step per batch, all normalisation layers, not episodic.
     * @return The method.
     */
    public static Core withDefaults() {
        return new Core(0.1, new AdamOptimiserFactory(1e-3), 1, new ArrayList<>(), false);
    }

    /**
     * Creates Core.
     * @param alpha The weight of the test-batch statistics, in [0, 1].
     * @param optimiser The optimiser of the affine parameters.
     * @param steps Optimiser steps per batch.
     * @param normLayers Layer paths to adapt, or empty for all normalisation layers.
     * @param episodic Whether to reset to the source weights before every batch.
     */
    public Core(double alpha, OptimiserFactory optimiser, int steps, List<String> normLayers, boolean episodic) {
        super(optimiser, normLayers, episodic);
        this.alpha = alpha;
        this.steps = steps;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new PropertyException("", "alpha", "alpha must be in [0, 1], found " + alpha);
        }
        if (steps < 1) {
            throw new PropertyException("", "steps", "steps must be at least 1, found " + steps);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String displayName() {
        return "Core";
    }

    @Override
    protected double testStatisticsWeight() {
        return alpha;
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        return new Session(model, context);
    }

    @Override
    public String toString() {
        return "Core(" + sharedSettings() + ",alpha=" + alpha + ",steps=" + steps + ")";
    }

    /**
     * The class-correlation loss {@code (1/C) sum_j sum_{k != j} M_jk / sum_l M_jl} with {@code M = P^T P}.
     * @param probabilities The batch's predicted class probabilities {@code [N, C]}, rows on the simplex.
     * @return The scalar loss, on the tape when the probabilities are.
     */
    static NDArray classCorrelationLoss(NDArray probabilities) {
        if (probabilities.getShape().dimension() != 2 || probabilities.getShape().get(0) < 1) {
            throw new IllegalArgumentException("Core's loss needs probabilities of shape [N, C] with N >= 1, found "
                    + probabilities.getShape());
        }
        int classes = Math.toIntExact(probabilities.getShape().get(1));
        NDArray correlation = probabilities.transpose().matMul(probabilities);
        NDArray normalised = correlation.div(correlation.sum(new int[] {1}, true).maximum(EPSILON));
        NDArray diagonal = normalised.mul(probabilities.getManager().eye(classes)).sum();
        return normalised.sum().sub(diagonal).div(classes);
    }

    private final class Session extends NormAffineSession {
        Session(Model<Label> model, AdaptationContext context) {
            super(MethodRequirements.network(model, "Core"), Core.this, context);
            try {
                NormLayers.requireBatchNorm(network, "Core");
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        protected NDArray adapt(NDManager batch, NDArray input) {
            NDArray logits = null;
            for (int s = 0; s < steps; s++) {
                try (GradientMode recording = GradientMode.enabled()) {
                    logits = forward(batch, input);
                    GradientMode.backward(classCorrelationLoss(logits.softmax(1)));
                }
                step();
            }
            return logits;
        }
    }
}
