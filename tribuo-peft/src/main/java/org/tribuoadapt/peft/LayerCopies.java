package org.tribuoadapt.peft;

import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.LayerNorm;
import org.tribuoadapt.core.nn.layers.Linear;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Makes the trainable copies of modules to save: a layer of the same kind and size holding the same values, or,
 * for an output layer whose width changes (a new head for another set of classes), a fresh layer initialised as
 * PyTorch would.
 */
final class LayerCopies {

    private LayerCopies() {}

    /**
     * Copies a layer: same kind, size and values.
     * @param path The layer's path, for messages.
     * @param source The layer (a Linear, Conv2d, BatchNorm or LayerNorm).
     * @param manager Where the copy's parameters live.
     * @return The copy.
     * @throws IllegalArgumentException if the layer kind cannot be copied.
     */
    static Layer copy(String path, Layer source, NDManager manager) {
        Layer copy;
        if (source instanceof Linear) {
            Linear linear = (Linear) source;
            copy = new Linear(manager, linear.inFeatures(), linear.outFeatures(), linear.bias() != null);
        } else if (source instanceof Conv2d) {
            Conv2d conv = (Conv2d) source;
            copy = new Conv2d(manager, conv.inChannels(), conv.outChannels(), conv.kernelSize(), conv.stride(),
                    conv.padding(), conv.bias() != null);
        } else if (source instanceof BatchNorm) {
            BatchNorm bn = (BatchNorm) source;
            copy = new BatchNorm(manager, bn.numFeatures(), bn.momentum(), bn.eps());
        } else if (source instanceof LayerNorm) {
            copy = new LayerNorm(manager, Math.toIntExact(((LayerNorm) source).weight().size()));
        } else {
            throw new IllegalArgumentException("module to save '" + path + "' is a " + source.describe()
                    + "; modulesToSave supports Linear, Conv2d, BatchNorm and LayerNorm layers");
        }
        copyValues(source, copy);
        return copy;
    }

    /**
     * A new output layer of another width, initialised as PyTorch initialises a Linear layer (a new head for
     * another set of classes).
     * @param source The old output layer.
     * @param manager Where the new layer's parameters live.
     * @param outFeatures The new width.
     * @param rng The stream the weights are drawn from.
     * @return The new layer.
     */
    static Linear resizedOutput(Linear source, NDManager manager, int outFeatures, SplittableRandom rng) {
        int in = source.inFeatures();
        Linear head = new Linear(manager, in, outFeatures, source.bias() != null);
        head.weight().assign(Initializers.kaimingUniform(outFeatures * in, in, rng));
        if (head.bias() != null) {
            head.bias().assign(Initializers.kaimingUniform(outFeatures, in, rng));
        }
        return head;
    }

    private static void copyValues(Layer source, Layer copy) {
        for (Map.Entry<String, Parameter> e : source.parameters().entrySet()) {
            copy.parameter(e.getKey()).copyFrom(e.getValue().array());
        }
    }
}
