package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;

import java.util.SplittableRandom;

/**
 * The output layer of a hypernetwork: it maps the hypernetwork's last hidden features {@code h} to the flat weights
 * {@code theta} of the primary network ({@link PrimaryLayout}). Plain, {@code theta = W h + b}; residual, as in
 * Magnitude Invariant Parametrizations (Ortiz, Guttag and Dalca, ICLR 2024), {@code theta = theta0 + W h + b}, where
 * {@code theta0} is a learned parameter that does not depend on the input.
 * <p>
 * Initialisation (the paper leaves it open; this is our choice): {@code theta0} gets the primary network's own PyTorch
 * default ({@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))} per primary layer, weight and bias); the rows of {@code W} that
 * predict a primary layer of fan-in {@code f} are drawn from {@code U(-1/sqrt(f H), 1/sqrt(f H))} for {@code H}
 * hidden features, so that with unit-scale features each predicted weight has the primary default's scale (the
 * hyperfan-in idea of Chang et al. 2020); {@code b} starts at zero. Both forms share this, so they differ only in the
 * input encoding and in {@code theta0}.
 */
public final class HyperWeightHead extends FullyConnected {

    private final PrimaryLayout layout;
    private final Parameter theta0;

    /**
     * Creates the head.
     * @param manager The network's manager.
     * @param hiddenFeatures The width {@code H} of the hypernetwork's last hidden layer.
     * @param layout The primary network the head predicts weights for.
     * @param residual Whether to add the learned {@code theta0} (the MIP form).
     */
    public HyperWeightHead(NDManager manager, int hiddenFeatures, PrimaryLayout layout, boolean residual) {
        super(manager, hiddenFeatures, layout.parameterCount(), true);
        this.layout = layout;
        this.theta0 = residual ? addWeight(manager, "theta0", new Shape(layout.parameterCount())) : null;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDArray delta = applyWeight(input, weight().array());
        return theta0 == null ? delta : delta.add(theta0.array());
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        int hidden = inFeatures();
        float[] w = new float[layout.parameterCount() * hidden];
        float[] base = new float[layout.parameterCount()];
        for (int l = 0; l < layout.layers(); l++) {
            int from = layout.weightOffset(l);
            int to = layout.weightOffset(l + 1);
            float[] rows = Initializers.uniform((to - from) * hidden, 1.0 / Math.sqrt((double) layout.inWidth(l) * hidden), rng);
            System.arraycopy(rows, 0, w, from * hidden, rows.length);
            float[] primaryDefault = Initializers.kaimingUniform(to - from, layout.inWidth(l), rng);
            System.arraycopy(primaryDefault, 0, base, from, primaryDefault.length);
        }
        weight().assign(w);
        bias().assign(new float[layout.parameterCount()]);
        if (theta0 != null) {
            theta0.assign(base);
        }
    }

    /** @return Whether the head adds a learned {@code theta0} (the MIP form). */
    public boolean isResidual() {
        return theta0 != null;
    }

    /** @return The primary network this head predicts weights for. */
    public PrimaryLayout layout() {
        return layout;
    }

    @Override
    public String describe() {
        return "HyperWeightHead(" + sizes() + (theta0 == null ? "" : ", residual theta0") + ")";
    }
}
