package org.tribuoadapt.tta.method.tent;

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

import java.util.ArrayList;
import java.util.List;

/**
 * Tent (Wang et al. 2021, "Tent: Fully Test-Time Adaptation by Entropy Minimization", ICLR): on every test batch,
 * BatchNorm normalises with the batch's statistics, and one optimiser step (by default) minimises the mean
 * prediction entropy {@code H(y) = -sum_c p(y_c) log p(y_c)} (Eq. 2) with respect to the normalisation layers'
 * affine scales and shifts only. The prediction is the output of the forward pass that computes the loss, as in
 * the reference implementation. The default optimiser is Adam with learning rate 1e-3 (the paper's CIFAR
 * setting; ImageNet used SGD with lr 2.5e-4 and momentum 0.9).
 */
public final class Tent extends NormAffineMethod {

    /** The method's name. */
    public static final String NAME = "tent";

    @Config(description = "Optimiser steps per batch, at least 1.")
    private int steps = 1;

    /** For OLCUT. */
    private Tent() {
        super(new AdamOptimiserFactory(1e-3));
    }

    /**
     * Creates Tent with Adam (lr 1e-3), one step per batch, all normalisation layers, not episodic.
     * @return The method.
     */
    public static Tent withDefaults() {
        return new Tent(new AdamOptimiserFactory(1e-3), 1, new ArrayList<>(), false);
    }

    /**
     * Creates Tent.
     * @param optimiser The optimiser of the affine parameters.
     * @param steps Optimiser steps per batch.
     * @param normLayers Layer paths to adapt, or empty for all normalisation layers.
     * @param episodic Whether to reset to the source weights before every batch.
     */
    public Tent(OptimiserFactory optimiser, int steps, List<String> normLayers, boolean episodic) {
        super(optimiser, normLayers, episodic);
        this.steps = steps;
        postConfig();
    }

    @Override
    public void postConfig() {
        super.postConfig();
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
        return "Tent";
    }

    @Override
    public AdaptationSession start(Model<Label> model, AdaptationContext context) {
        return new Session(model, context);
    }

    @Override
    public String toString() {
        return "Tent(" + sharedSettings() + ",steps=" + steps + ")";
    }

    private final class Session extends NormAffineSession {
        Session(Model<Label> model, AdaptationContext context) {
            super(MethodRequirements.network(model, "Tent"), Tent.this, context);
        }

        @Override
        protected NDArray adapt(NDManager batch, NDArray input) {
            NDArray logits = null;
            for (int s = 0; s < steps; s++) {
                try (GradientMode recording = GradientMode.enabled()) {
                    logits = forward(batch, input);
                    GradientMode.backward(entropy(logits).mean());
                }
                step();
            }
            return logits;
        }
    }
}
