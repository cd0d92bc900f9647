package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hypernetwork classifier (Ha, Dai and Le 2017; in the form of Ortiz, Guttag and Dalca, "Magnitude Invariant
 * Parametrizations Improve Hypernetwork Learning", ICLR 2024): the weights of a primary multi-layer perceptron are not
 * parameters but the output of a second network, the hypernetwork, that reads a conditioning input such as a
 * regularisation strength or a task code.
 * <p>
 * Each input row is {@code [x, gamma]}: the primary network's {@code D} features followed by the {@code k}
 * conditioning values, each in {@code [0, 1]}. The hypernetwork encodes {@code gamma} ({@link HyperInputEncoding}),
 * runs it through the hidden layers of child {@code hyper} ({@code fc1, act1, ..}) and predicts the flat primary
 * weights with child {@code theta} ({@link HyperWeightHead}); the primary network ({@link PrimaryLayout}) then maps
 * {@code x} to logits with those weights, applying {@code activation} after every layer but the last. Every row gets
 * the weights of its own conditioning values. The layer's only parameters are the hypernetwork's: the primary network
 * has none of its own.
 */
public final class Hypernetwork extends Layer {

    private final int inputSize;
    private final int conditionSize;
    private final HyperInputEncoding encoding;
    private final PrimaryLayout layout;
    private final Activation activation;

    /**
     * Builds the hypernetwork and its output head.
     * @param manager The network's manager.
     * @param inputSize The primary network's input width {@code D}.
     * @param conditionSize The number {@code k} of conditioning values.
     * @param encoding How the conditioning values are encoded.
     * @param hyperHiddenSizes The hypernetwork's hidden widths (at least one).
     * @param hyperActivation The hypernetwork's nonlinearity.
     * @param layout The primary network; its input width must be {@code inputSize}.
     * @param activation The primary network's nonlinearity.
     * @param residual Whether the weights are {@code theta0 + h(gamma)} (the MIP form) rather than {@code h(gamma)}.
     * @throws IllegalArgumentException on a width that is not positive, no hidden layer, or a primary input width
     * other than {@code inputSize}.
     */
    public Hypernetwork(NDManager manager, int inputSize, int conditionSize, HyperInputEncoding encoding,
                        int[] hyperHiddenSizes, Activation hyperActivation, PrimaryLayout layout, Activation activation,
                        boolean residual) {
        if (inputSize < 1 || conditionSize < 1) {
            throw new IllegalArgumentException("a hypernetwork needs at least one input and one conditioning value, found "
                    + "inputSize=" + inputSize + ", conditionSize=" + conditionSize);
        }
        if (hyperHiddenSizes.length == 0) {
            throw new IllegalArgumentException("the hypernetwork needs at least one hidden layer");
        }
        if (layout.inWidth(0) != inputSize) {
            throw new IllegalArgumentException("the primary network " + layout + " reads " + layout.inWidth(0)
                    + " features but the input has " + inputSize);
        }
        this.inputSize = inputSize;
        this.conditionSize = conditionSize;
        this.encoding = encoding;
        this.layout = layout;
        this.activation = activation;
        Sequential hyper = new Sequential();
        int width = encoding.encodedSize(conditionSize);
        for (int i = 0; i < hyperHiddenSizes.length; i++) {
            hyper.add("fc" + (i + 1), new Linear(manager, width, hyperHiddenSizes[i], true));
            hyper.add("act" + (i + 1), new ActivationLayer(hyperActivation));
            width = hyperHiddenSizes[i];
        }
        addChild("hyper", hyper);
        addChild("theta", new HyperWeightHead(manager, width, layout, residual));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDArray features = input.get(new NDIndex(":, :{}", inputSize));
        NDArray conditioning = input.get(new NDIndex(":, {}:", inputSize));
        NDArray theta = child("theta").apply(child("hyper").apply(encoding.encode(conditioning), context), context);
        return primary(features, theta);
    }

    /**
     * Runs the primary network with per-row weights.
     * @param features The primary inputs {@code [N, D]}.
     * @param theta The flat primary weights of each row {@code [N, P]}.
     * @return The logits {@code [N, out]}.
     */
    private NDArray primary(NDArray features, NDArray theta) {
        long n = features.getShape().get(0);
        NDArray x = features;
        for (int l = 0; l < layout.layers(); l++) {
            int in = layout.inWidth(l);
            int out = layout.outWidth(l);
            NDArray w = theta.get(new NDIndex(":, {}:{}", layout.weightOffset(l), layout.biasOffset(l))).reshape(n, out, in);
            NDArray b = theta.get(new NDIndex(":, {}:{}", layout.biasOffset(l), layout.biasOffset(l) + out));
            x = w.matMul(x.reshape(n, in, 1)).reshape(n, out).add(b);
            if (l < layout.layers() - 1) {
                x = activation.apply(x);
            }
        }
        return x;
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 1 || inputShape.get(0) != inputSize + conditionSize) {
            throw new IllegalArgumentException("layer '" + path() + "' (" + describe() + ") expects rows of "
                    + inputSize + " features followed by " + conditionSize + " conditioning values, but gets input of shape "
                    + inputShape);
        }
        return new Shape(layout.outWidth(layout.layers() - 1));
    }

    /**
     * The primary network's weights at fixed conditioning values, named as an {@code MLPSpec} network of the same
     * widths names its parameters ({@code fc1.weight}, {@code fc1.bias}, .., {@code head.bias}), so that the primary
     * network can be loaded into such a network and used, or exported to ONNX, on its own.
     * @param conditioning The {@code k} conditioning values.
     * @param manager Memory for the temporary tensors (closed by the caller).
     * @return The weights.
     * @throws IllegalArgumentException if there are not {@code k} values, or one is not finite.
     */
    public Map<String, TensorData> primaryWeightsAt(float[] conditioning, NDManager manager) {
        if (conditioning.length != conditionSize) {
            throw new IllegalArgumentException("the hypernetwork takes " + conditionSize + " conditioning values, found "
                    + conditioning.length);
        }
        for (float c : conditioning) {
            if (!Float.isFinite(c)) {
                throw new IllegalArgumentException("conditioning values must be finite, found " + Arrays.toString(conditioning));
            }
        }
        float[] theta;
        try (GradientMode ignored = GradientMode.disabled()) {
            ForwardContext context = ForwardContext.inference(manager);
            NDArray encoded = encoding.encode(manager.create(conditioning, new Shape(1, conditionSize)));
            theta = child("theta").apply(child("hyper").apply(encoded, context), context).toFloatArray();
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (int l = 0; l < layout.layers(); l++) {
            int in = layout.inWidth(l);
            int outWidth = layout.outWidth(l);
            out.put(layout.name(l) + ".weight", TensorData.ofFloats(new long[] {outWidth, in},
                    Arrays.copyOfRange(theta, layout.weightOffset(l), layout.biasOffset(l))));
            out.put(layout.name(l) + ".bias", TensorData.ofFloats(new long[] {outWidth},
                    Arrays.copyOfRange(theta, layout.biasOffset(l), layout.biasOffset(l) + outWidth)));
        }
        return out;
    }

    /** @return The primary network's input width. */
    public int inputSize() {
        return inputSize;
    }

    /** @return The number of conditioning values. */
    public int conditionSize() {
        return conditionSize;
    }

    /** @return The primary network's layout. */
    public PrimaryLayout layout() {
        return layout;
    }

    @Override
    public String describe() {
        return "Hypernetwork(primary " + layout + ", " + conditionSize + " conditioning values, " + encoding
                + (((HyperWeightHead) child("theta")).isResidual() ? ", residual" : "") + ")";
    }
}
