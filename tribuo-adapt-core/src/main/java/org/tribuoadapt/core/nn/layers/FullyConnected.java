package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;

import java.util.SplittableRandom;

/**
 * What every fully connected layer shares: PyTorch's {@code Linear} layout ({@code weight} is {@code [out, in]},
 * optional {@code bias}), its default initialisation, and a map over the last dimension, so token sequences
 * {@code [N, T, in]} work too. Subclasses decide which weight they apply.
 */
public abstract class FullyConnected extends Layer {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the shared parameters.
     * @param manager The network's manager.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hasBias Whether to add a bias.
     */
    protected FullyConnected(NDManager manager, int inFeatures, int outFeatures, boolean hasBias) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs positive sizes, found in="
                    + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = addWeight(manager, "weight", new Shape(outFeatures, inFeatures));
        this.bias = hasBias ? addWeight(manager, "bias", new Shape(outFeatures)) : null;
    }

    /**
     * {@code input W^T + b} for a given weight.
     * @param input The input {@code [..., in]}.
     * @param appliedWeight The weight to apply, {@code [out, in]}.
     * @return The output {@code [..., out]}.
     */
    protected final NDArray applyWeight(NDArray input, NDArray appliedWeight) {
        return input.getNDArrayInternal()
                .linear(input, appliedWeight, bias == null ? null : bias.array())
                .singletonOrThrow();
    }

    @Override
    public final Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() == 0 || inputShape.get(inputShape.dimension() - 1) != inFeatures) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects a last dimension of "
                    + inFeatures + " but gets input of shape " + inputShape);
        }
        long[] dims = inputShape.getShape().clone();
        dims[dims.length - 1] = outFeatures;
        return new Shape(dims);
    }

    /**
     * PyTorch's default initialisation: Kaiming-uniform weight and bias from the fan-in.
     * @param rng The layer's random stream.
     */
    @Override
    protected void resetParameters(SplittableRandom rng) {
        weight.assign(Initializers.kaimingUniform(inFeatures * outFeatures, inFeatures, rng));
        if (bias != null) {
            bias.assign(Initializers.kaimingUniform(outFeatures, inFeatures, rng));
        }
    }

    /**
     * The input width.
     * @return The number of input features.
     */
    public final int inFeatures() {
        return inFeatures;
    }

    /**
     * The output width.
     * @return The number of output features.
     */
    public final int outFeatures() {
        return outFeatures;
    }

    /**
     * The raw weight, {@code [out, in]}.
     * @return The weight.
     */
    public final Parameter weight() {
        return weight;
    }

    /**
     * The bias, or null when the layer has none.
     * @return The bias.
     */
    public final Parameter bias() {
        return bias;
    }

    /**
     * The sizes for {@link #describe()}: {@code in -> out}, and whether there is no bias.
     * @return The description of the shared part.
     */
    protected final String sizes() {
        return inFeatures + " -> " + outFeatures + (bias == null ? ", no bias" : "");
    }
}
