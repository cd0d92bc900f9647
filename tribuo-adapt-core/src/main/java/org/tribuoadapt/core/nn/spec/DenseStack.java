package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.ActivationLayer;
import org.tribuoadapt.core.nn.layers.DenseLayerFactory;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.WeightCompander;

/**
 * The fully connected tail shared by the MLP and the CNN: hidden fully connected layers, each followed by its
 * activation and (when the rate is positive) dropout, then the output layer {@code head}; {@code Linear} layers, or
 * {@code CompandedLinear} ones when the spec has a weight compander.
 */
final class DenseStack {

    private DenseStack() {}

    /**
     * Appends the hidden layers and the head.
     * @param root The network being built.
     * @param manager The network's memory.
     * @param width The width of the input to the first hidden layer.
     * @param hiddenSizes The hidden widths.
     * @param activation The nonlinearity.
     * @param dropout The dropout rate (0 adds no dropout layers).
     * @param actPrefix The name prefix of the activation layers (numbered from 1).
     * @param dropPrefix The name prefix of the dropout layers.
     * @param numOutputs The head's width.
     * @param compander The weight compander of every layer, or null for plain layers.
     */
    static void append(Sequential root, NDManager manager, int width, int[] hiddenSizes, Activation activation,
                       double dropout, String actPrefix, String dropPrefix, int numOutputs, WeightCompander compander) {
        DenseLayerFactory dense = compander == null ? DenseLayerFactory.PLAIN : DenseLayerFactory.companded(compander);
        int in = width;
        for (int i = 0; i < hiddenSizes.length; i++) {
            String n = Integer.toString(i + 1);
            root.add("fc" + n, dense.create(manager, in, hiddenSizes[i], true));
            root.add(actPrefix + n, new ActivationLayer(activation));
            if (dropout > 0) {
                root.add(dropPrefix + n, new Dropout(dropout));
            }
            in = hiddenSizes[i];
        }
        root.add("head", dense.create(manager, in, numOutputs, true));
    }
}
