package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.Layer;

/**
 * How a composite layer or a spec builds its fully connected layers, so that a parameterisation option (such as
 * σReparam or a weight compander) applies to all of them at once.
 */
@FunctionalInterface
public interface DenseLayerFactory {

    /** Plain {@link Linear} layers. */
    DenseLayerFactory PLAIN = Linear::new;

    /** {@link SpectralLinear} layers (σReparam, Zhai et al. 2023). */
    DenseLayerFactory SPECTRAL_REPARAM = SpectralLinear::new;

    /**
     * {@link CompandedLinear} layers (weight compander, Cakaj et al. 2023).
     * @param compander The compander of every weight.
     * @return The factory.
     */
    static DenseLayerFactory companded(WeightCompander compander) {
        return (manager, inFeatures, outFeatures, hasBias) ->
                new CompandedLinear(manager, inFeatures, outFeatures, hasBias, compander);
    }

    /**
     * Builds a fully connected layer.
     * @param manager The network's manager.
     * @param inFeatures The input width.
     * @param outFeatures The output width.
     * @param hasBias Whether to add a bias.
     * @return The layer.
     */
    Layer create(NDManager manager, int inFeatures, int outFeatures, boolean hasBias);
}
