package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.ForwardContext;

import java.util.SplittableRandom;

/**
 * A fully connected layer with a weight compander (Cakaj, Mehnert and Yang 2023, "Weight Compander: A Simple Weight
 * Reparameterization for Regularization"): its {@code weight} parameter is raw, and the weight it applies is
 * {@code f(weight)} with the {@link WeightCompander} {@code f}; the bias is plain. The raw weight starts at
 * {@code f^-1} of PyTorch's default initialisation, so the layer starts as the plain {@link Linear} it replaces and
 * the compander changes only how training moves the weight. At inference it is a {@link Linear} with the weight
 * {@link #effectiveWeight()}, which is how it is exported.
 */
public final class CompandedLinear extends FullyConnected {

    private final WeightCompander compander;

    /**
     * Creates the layer.
     * @param manager The network's manager.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hasBias Whether to add a bias.
     * @param compander The compander of the weight.
     */
    public CompandedLinear(NDManager manager, int inFeatures, int outFeatures, boolean hasBias, WeightCompander compander) {
        super(manager, inFeatures, outFeatures, hasBias);
        this.compander = compander;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return applyWeight(input, compander.apply(weight().array()));
    }

    @Override
    protected void resetParameters(SplittableRandom rng) {
        super.resetParameters(rng);
        weight().assign(compander.inverse(weight().toFloatArray()));
    }

    /**
     * The weight the layer applies.
     * @return {@code f(weight)}, {@code [out, in]} row-major.
     */
    public float[] effectiveWeight() {
        return compander.applied(weight());
    }

    /**
     * The compander of the weight.
     * @return The compander.
     */
    public WeightCompander compander() {
        return compander;
    }

    @Override
    public String describe() {
        return "CompandedLinear(" + sizes() + ", " + compander + ")";
    }
}
