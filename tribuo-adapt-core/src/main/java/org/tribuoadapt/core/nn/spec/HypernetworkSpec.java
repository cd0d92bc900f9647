package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.HyperInputEncoding;
import org.tribuoadapt.core.nn.layers.Hypernetwork;
import org.tribuoadapt.core.nn.layers.PrimaryLayout;

import java.util.Arrays;

/**
 * A hypernetwork classifier ({@link Hypernetwork}): a multi-layer perceptron whose weights are predicted from a
 * conditioning input by a second network, in the plain form or with Magnitude Invariant Parametrizations (Ortiz,
 * Guttag and Dalca, "Magnitude Invariant Parametrizations Improve Hypernetwork Learning", ICLR 2024).
 * <p>
 * An input row is {@code inputSize} features followed by {@code conditionSize} conditioning values in {@code [0, 1]}
 * (a normalised hyperparameter such as a regularisation strength, or a task code). With Tribuo examples the
 * conditioning features are the last ones in the feature map, whose order is that of the sorted feature names, so
 * give them names that sort after the others. {@link #plain} reads the raw values and predicts the weights outright;
 * {@link #magnitudeInvariant} encodes each value as {@code [cos(pi gamma/2), sin(pi gamma/2)]} (constant norm) and
 * predicts a change to learned weights {@code theta0}. The two settings behind them, {@code encoding} and
 * {@code residual}, can also be set apart for ablations. The layers are {@code hyper.fc1, hyper.act1, ..} and
 * {@code theta} (weight, bias and, residual, {@code theta0}).
 * <p>
 * ONNX export of the hypernetwork itself is refused (the exporter has no layer type for weights computed from the
 * input); the primary network at a fixed conditioning value exports as a plain MLP: build {@link #primarySpec()},
 * load {@link Hypernetwork#primaryWeightsAt} into it, and export that.
 */
public final class HypernetworkSpec implements NetworkSpec {
    private static final long serialVersionUID = 1L;

    @Config(mandatory = true, description = "Number of features the primary network reads.")
    private int inputSize;

    @Config(description = "Number of conditioning values after the features, each in [0, 1].")
    private int conditionSize = 1;

    @Config(description = "Hidden widths of the primary network, in order (may be empty).")
    private int[] hiddenSizes = {32};

    @Config(description = "Nonlinearity of the primary network.")
    private Activation activation = Activation.RELU;

    @Config(description = "Hidden widths of the hypernetwork, in order (at least one).")
    private int[] hyperHiddenSizes = {16, 16};

    @Config(description = "Nonlinearity of the hypernetwork.")
    private Activation hyperActivation = Activation.RELU;

    @Config(description = "Encoding of the conditioning values: IDENTITY (plain), COS_SIN (MIP's constant L2 norm) or "
            + "COMPLEMENT ([gamma, 1 - gamma], constant L1 norm).")
    private HyperInputEncoding encoding = HyperInputEncoding.COS_SIN;

    @Config(description = "Whether the primary weights are theta0 + h(gamma) with learned theta0 (MIP) rather than h(gamma).")
    private boolean residual = true;

    /** For OLCUT. */
    private HypernetworkSpec() {}

    private HypernetworkSpec(int inputSize, int conditionSize, int[] hiddenSizes, int[] hyperHiddenSizes,
                             HyperInputEncoding encoding, boolean residual) {
        this.inputSize = inputSize;
        this.conditionSize = conditionSize;
        this.hiddenSizes = hiddenSizes.clone();
        this.hyperHiddenSizes = hyperHiddenSizes.clone();
        this.encoding = encoding;
        this.residual = residual;
        postConfig();
    }

    /**
     * A plain hypernetwork: raw conditioning values in, every primary weight predicted outright.
     * @param inputSize The number of features.
     * @param conditionSize The number of conditioning values.
     * @param hiddenSizes The primary network's hidden widths.
     * @param hyperHiddenSizes The hypernetwork's hidden widths.
     * @return The spec, with ReLU in both networks.
     */
    public static HypernetworkSpec plain(int inputSize, int conditionSize, int[] hiddenSizes, int[] hyperHiddenSizes) {
        return new HypernetworkSpec(inputSize, conditionSize, hiddenSizes, hyperHiddenSizes, HyperInputEncoding.IDENTITY, false);
    }

    /**
     * A hypernetwork with Magnitude Invariant Parametrizations: {@code [cos, sin]} input encoding and residual weights.
     * @param inputSize The number of features.
     * @param conditionSize The number of conditioning values.
     * @param hiddenSizes The primary network's hidden widths.
     * @param hyperHiddenSizes The hypernetwork's hidden widths.
     * @return The spec, with ReLU in both networks.
     */
    public static HypernetworkSpec magnitudeInvariant(int inputSize, int conditionSize, int[] hiddenSizes,
                                                      int[] hyperHiddenSizes) {
        return new HypernetworkSpec(inputSize, conditionSize, hiddenSizes, hyperHiddenSizes, HyperInputEncoding.COS_SIN, true);
    }

    @Override
    public void postConfig() {
        if (inputSize < 1) {
            throw new PropertyException("", "inputSize", "inputSize must be positive, found " + inputSize);
        }
        if (conditionSize < 1) {
            throw new PropertyException("", "conditionSize", "a hypernetwork needs at least one conditioning value, found "
                    + conditionSize);
        }
        if (Arrays.stream(hiddenSizes).anyMatch(h -> h < 1)) {
            throw new PropertyException("", "hiddenSizes", "every primary hidden size must be positive, found "
                    + Arrays.toString(hiddenSizes));
        }
        if (hyperHiddenSizes.length == 0 || Arrays.stream(hyperHiddenSizes).anyMatch(h -> h < 1)) {
            throw new PropertyException("", "hyperHiddenSizes", "the hypernetwork needs at least one hidden layer, all "
                    + "positive, found " + Arrays.toString(hyperHiddenSizes));
        }
        long predicted = layout(1).parameterCount() * (long) hyperHiddenSizes[hyperHiddenSizes.length - 1];
        if (predicted > Integer.MAX_VALUE) {
            throw new PropertyException("", "hiddenSizes", "the hypernetwork's output layer would have " + predicted
                    + " weights, more than a tensor can hold");
        }
    }

    private PrimaryLayout layout(int numOutputs) {
        int[] widths = new int[hiddenSizes.length + 2];
        widths[0] = inputSize;
        System.arraycopy(hiddenSizes, 0, widths, 1, hiddenSizes.length);
        widths[widths.length - 1] = numOutputs;
        return new PrimaryLayout(widths);
    }

    @Override
    public Shape inputShape() {
        return new Shape(inputSize + conditionSize);
    }

    @Override
    public Layer buildLayers(NDManager manager, int numOutputs) {
        return new Hypernetwork(manager, inputSize, conditionSize, encoding, hyperHiddenSizes, hyperActivation,
                layout(numOutputs), activation, residual);
    }

    /**
     * The primary network alone, as an MLP whose weights {@link Hypernetwork#primaryWeightsAt} gives for fixed
     * conditioning values.
     * @return An MLP spec of the primary network's widths and activation, without dropout.
     */
    public MLPSpec primarySpec() {
        return new MLPSpec(inputSize, hiddenSizes, activation, 0.0);
    }

    /** @return The number of features the primary network reads (the input rows also hold the conditioning values). */
    public int featureSize() {
        return inputSize;
    }

    /** @return The number of conditioning values after the features. */
    public int conditionSize() {
        return conditionSize;
    }

    @Override
    public String toString() {
        return "HypernetworkSpec(inputSize=" + inputSize + ",conditionSize=" + conditionSize + ",hiddenSizes="
                + Arrays.toString(hiddenSizes) + ",activation=" + activation + ",hyperHiddenSizes="
                + Arrays.toString(hyperHiddenSizes) + ",hyperActivation=" + hyperActivation + ",encoding=" + encoding
                + ",residual=" + residual + ")";
    }
}
