package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.CompandedLinear;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.WeightCompander;

import java.util.Arrays;

/**
 * A multi-layer perceptron over flat feature vectors. Layers are named {@code fc1..fcK} (hidden Linear layers),
 * {@code act1..actK}, {@code drop1..dropK} (only when dropout is positive) and {@code head} (the output Linear),
 * matching a PyTorch module with attributes of those names. With a {@code weightCompander} every fully connected
 * layer is a {@link CompandedLinear} (weight compander, Cakaj et al. 2023).
 */
public final class MLPSpec implements NetworkSpec {
    private static final long serialVersionUID = 1L;

    @Config(mandatory = true, description = "Number of input features.")
    private int inputSize;

    @Config(description = "Widths of the hidden layers, in order.")
    private int[] hiddenSizes = {512, 256};

    @Config(description = "Nonlinearity after each hidden layer.")
    private Activation activation = Activation.RELU;

    @Config(description = "Dropout probability after each hidden activation.")
    private double dropout = 0.0;

    @Config(description = "A weight compander (Cakaj et al. 2023) on every fully connected layer, hidden and head; "
            + "plain layers when unset.")
    private WeightCompander weightCompander = null;

    /** For OLCUT. */
    private MLPSpec() {}

    /**
     * Creates an MLP spec.
     * @param inputSize Number of input features.
     * @param hiddenSizes Hidden widths.
     * @param activation The nonlinearity.
     * @param dropout The dropout probability.
     */
    public MLPSpec(int inputSize, int[] hiddenSizes, Activation activation, double dropout) {
        this.inputSize = inputSize;
        this.hiddenSizes = hiddenSizes.clone();
        this.activation = activation;
        this.dropout = dropout;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (inputSize < 1) {
            throw new PropertyException("", "inputSize", "inputSize must be positive, found " + inputSize);
        }
        for (int h : hiddenSizes) {
            if (h < 1) {
                throw new PropertyException("", "hiddenSizes", "every hidden size must be positive, found " + Arrays.toString(hiddenSizes));
            }
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new PropertyException("", "dropout", "dropout must be in [0, 1), found " + dropout);
        }
    }

    @Override
    public Shape inputShape() {
        return new Shape(inputSize);
    }

    @Override
    public Layer buildLayers(NDManager manager, int numOutputs) {
        Sequential root = new Sequential();
        DenseStack.append(root, manager, inputSize, hiddenSizes, activation, dropout, "act", "drop", numOutputs,
                weightCompander);
        return root;
    }

    /**
     * This spec with a weight compander on every fully connected layer.
     * @param compander The compander.
     * @return A new spec.
     * @throws IllegalArgumentException If the compander is null.
     */
    public MLPSpec withWeightCompander(WeightCompander compander) {
        if (compander == null) {
            throw new IllegalArgumentException("withWeightCompander needs a compander, found null");
        }
        MLPSpec copy = new MLPSpec(inputSize, hiddenSizes, activation, dropout);
        copy.weightCompander = compander;
        return copy;
    }

    @Override
    public String toString() {
        return "MLPSpec(inputSize=" + inputSize + ",hiddenSizes=" + Arrays.toString(hiddenSizes) + ",activation="
                + activation + ",dropout=" + dropout + (weightCompander == null ? "" : ",weightCompander=" + weightCompander) + ")";
    }
}
