package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.ActivationLayer;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;

import java.io.Serializable;

/**
 * The architecture of the mixing network of Bai et al. (2024, section 4): a small network that reads intermediate
 * features of both frozen base models and outputs the mixing logit {@code gamma} per input.
 * <ul>
 *   <li>It observes the output of layer {@link #standardLayer()} of the standard network and
 *   {@link #robustLayer()} of the robust network, and, when {@link #robustSecondLayer()} is set, of that deeper layer
 *   of the robust network too, as the paper's mixing network reads two feature levels
 *   ({@link #mergeRobustLevels}).</li>
 *   <li>When both are feature maps of the same height and width they are concatenated along the channels and pass
 *   through a 3x3 convolution ({@code conv}, {@code convChannels} channels), a ReLU and global average pooling, as
 *   in the paper's policy network; otherwise both are flattened and concatenated.</li>
 *   <li>A hidden layer ({@code fc}, {@code hiddenSize} units, ReLU) and a single output ({@code head}) give
 *   gamma; {@code alpha = sigmoid(gamma)}.</li>
 * </ul>
 * The {@link Variant#SIMPLE} variant (the default) stops there. The {@link Variant#PAPER} variant adds the
 * post-processing of gamma of the paper's code ({@link GammaNormalization}): in training, a clamp of gamma to its
 * batch's {@code mean +- clampStds * std}, a batch normalisation without affine parameters (momentum 0.01) and
 * {@code gamma * trainGammaScale + trainGammaBias}; in evaluation, the normalisation with the running statistics,
 * {@code gamma * evalGammaScale + evalGammaBias}, and the robust model's weight
 * {@code alpha = evalAlphaBias + evalAlphaScale * sigmoid(gamma)}, in {@code [evalAlphaBias, evalAlphaBias +
 * evalAlphaScale]}. The defaults are those of the paper's CIFAR-10 configuration ({@code cifar10_edm_apgd.yaml}:
 * gamma (scale, bias) (2, 0.4) in training and (2, 1.3) in evaluation, alpha range (0.84, 0.99)).
 */
public final class MixingNetworkSpec implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    /** Which mixing network. */
    public enum Variant {
        /** The mixing network alone: {@code alpha = sigmoid(gamma)}. */
        SIMPLE,
        /** The mixing network followed by the paper's post-processing of gamma and its evaluation alpha range. */
        PAPER
    }

    /** The paper's half-width of the training clamp of gamma, in batch standard deviations. */
    public static final double DEFAULT_CLAMP_STDS = 0.6;
    /** The paper's training scale of the normalised gamma. */
    public static final double DEFAULT_TRAIN_GAMMA_SCALE = 2.0;
    /** The paper's training bias of the normalised gamma. */
    public static final double DEFAULT_TRAIN_GAMMA_BIAS = 0.4;
    /** The paper's evaluation scale of the normalised gamma. */
    public static final double DEFAULT_EVAL_GAMMA_SCALE = 2.0;
    /** The paper's evaluation bias of the normalised gamma. */
    public static final double DEFAULT_EVAL_GAMMA_BIAS = 1.3;
    /** The paper's width of the evaluation range of alpha. */
    public static final double DEFAULT_EVAL_ALPHA_SCALE = 0.15;
    /** The paper's lower end of the evaluation range of alpha. */
    public static final double DEFAULT_EVAL_ALPHA_BIAS = 0.84;

    @Config(description = "The standard network's layer whose output the mixing network reads.")
    private String standardLayer = "pool1";

    @Config(description = "The robust network's layer whose output the mixing network reads.")
    private String robustLayer = "pool1";

    @Config(description = "A second, deeper layer of the robust network that the mixing network also reads (the paper's "
            + "second feature level); empty for none.")
    private String robustSecondLayer = "";

    @Config(description = "Channels of the convolution over the concatenated feature maps; 0 flattens the features instead.")
    private int convChannels = 16;

    @Config(description = "Units of the hidden layer.")
    private int hiddenSize = 32;

    @Config(description = "SIMPLE: alpha = sigmoid(gamma); PAPER: adds the paper's normalisation of gamma and alpha range.")
    private Variant variant = Variant.SIMPLE;

    @Config(description = "PAPER: half-width of the training clamp of gamma, in batch standard deviations.")
    private double clampStds = DEFAULT_CLAMP_STDS;

    @Config(description = "PAPER: scale of the normalised gamma in training.")
    private double trainGammaScale = DEFAULT_TRAIN_GAMMA_SCALE;

    @Config(description = "PAPER: bias of the normalised gamma in training.")
    private double trainGammaBias = DEFAULT_TRAIN_GAMMA_BIAS;

    @Config(description = "PAPER: scale of the normalised gamma in evaluation.")
    private double evalGammaScale = DEFAULT_EVAL_GAMMA_SCALE;

    @Config(description = "PAPER: bias of the normalised gamma in evaluation.")
    private double evalGammaBias = DEFAULT_EVAL_GAMMA_BIAS;

    @Config(description = "PAPER: width of alpha's evaluation range, alpha = evalAlphaBias + evalAlphaScale * sigmoid(gamma).")
    private double evalAlphaScale = DEFAULT_EVAL_ALPHA_SCALE;

    @Config(description = "PAPER: lower end of alpha's evaluation range.")
    private double evalAlphaBias = DEFAULT_EVAL_ALPHA_BIAS;

    /** For OLCUT. */
    private MixingNetworkSpec() {}

    /**
     * Creates a spec.
     * @param standardLayer The observed layer of the standard network.
     * @param robustLayer The observed layer of the robust network.
     * @param convChannels Convolution channels, 0 for none.
     * @param hiddenSize Hidden units.
     */
    public MixingNetworkSpec(String standardLayer, String robustLayer, int convChannels, int hiddenSize) {
        this.standardLayer = standardLayer;
        this.robustLayer = robustLayer;
        this.convChannels = convChannels;
        this.hiddenSize = hiddenSize;
        postConfig();
    }

    /**
     * Creates a spec of the given variant, with the paper's post-processing constants.
     * @param standardLayer The observed layer of the standard network.
     * @param robustLayer The observed layer of the robust network.
     * @param convChannels Convolution channels, 0 for none.
     * @param hiddenSize Hidden units.
     * @param variant The variant.
     */
    public MixingNetworkSpec(String standardLayer, String robustLayer, int convChannels, int hiddenSize, Variant variant) {
        this.standardLayer = standardLayer;
        this.robustLayer = robustLayer;
        this.convChannels = convChannels;
        this.hiddenSize = hiddenSize;
        this.variant = variant;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (standardLayer == null || standardLayer.isEmpty() || robustLayer == null || robustLayer.isEmpty()) {
            throw new PropertyException("", "standardLayer", "both observed layers must be named, found '" + standardLayer
                    + "' and '" + robustLayer + "'");
        }
        if (convChannels < 0) {
            throw new PropertyException("", "convChannels", "convChannels must be >= 0, found " + convChannels);
        }
        if (hiddenSize < 1) {
            throw new PropertyException("", "hiddenSize", "hiddenSize must be at least 1, found " + hiddenSize);
        }
        if (robustSecondLayer == null) {
            throw new PropertyException("", "robustSecondLayer", "robustSecondLayer must be a layer name or empty, found null");
        }
        if (robustSecondLayer.equals(robustLayer)) {
            throw new PropertyException("", "robustSecondLayer", "robustSecondLayer must differ from robustLayer, both are '"
                    + robustLayer + "'");
        }
        if (variant == null) {
            throw new PropertyException("", "variant", "variant must be SIMPLE or PAPER, found null");
        }
        if (!(clampStds > 0) || Double.isInfinite(clampStds)) {
            throw new PropertyException("", "clampStds", "clampStds must be positive and finite, found " + clampStds);
        }
        for (double[] named : new double[][] {{trainGammaScale, trainGammaBias}, {evalGammaScale, evalGammaBias}}) {
            if (!Double.isFinite(named[0]) || !(named[0] > 0) || !Double.isFinite(named[1])) {
                throw new PropertyException("", "trainGammaScale", "the gamma scales must be positive and finite and the"
                        + " biases finite, found train (" + trainGammaScale + ", " + trainGammaBias + ") and eval ("
                        + evalGammaScale + ", " + evalGammaBias + ")");
            }
        }
        if (!(evalAlphaScale > 0) || !(evalAlphaBias >= 0) || !(evalAlphaScale + evalAlphaBias <= 1)) {
            throw new PropertyException("", "evalAlphaScale", "alpha's evaluation range needs evalAlphaScale > 0, "
                    + "evalAlphaBias >= 0 and evalAlphaScale + evalAlphaBias <= 1, found " + evalAlphaScale + " and "
                    + evalAlphaBias);
        }
    }

    /**
     * The second observed layer of the robust network.
     * @return Its dotted name, or empty when the mixing network reads one level.
     */
    public String robustSecondLayer() {
        return robustSecondLayer;
    }

    /**
     * Sets the second observed layer of the robust network (the paper's second feature level).
     * @param layer The layer's dotted name, or empty for none.
     * @return This spec.
     */
    public MixingNetworkSpec withRobustSecondLayer(String layer) {
        this.robustSecondLayer = layer;
        postConfig();
        return this;
    }

    /**
     * Merges the robust network's two feature levels into one robust feature. Feature maps whose height and width
     * divide the first level's are upsampled by repetition (nearest neighbour) to the first level's size and
     * concatenated along the channels; anything else is flattened and concatenated.
     * @param first The first level's features {@code [N, ...]}.
     * @param second The second level's features {@code [N, ...]}.
     * @return The merged features.
     */
    public NDArray mergeRobustLevels(NDArray first, NDArray second) {
        Shape a = first.getShape();
        Shape b = second.getShape();
        if (a.dimension() == 4 && b.dimension() == 4 && a.get(2) % b.get(2) == 0 && a.get(3) % b.get(3) == 0) {
            return first.concat(second.repeat(2, a.get(2) / b.get(2)).repeat(3, a.get(3) / b.get(3)), 1);
        }
        long n = a.get(0);
        return first.reshape(n, -1).concat(second.reshape(n, -1), 1);
    }

    /**
     * The variant.
     * @return The variant.
     */
    public Variant variant() {
        return variant;
    }

    /**
     * The mixing logit whose sigmoid is the robust model's weight, from the mixing network's output. It is the output
     * itself, except for the {@link Variant#PAPER} variant in evaluation, where it is the logit of
     * {@code evalAlphaBias + evalAlphaScale * sigmoid(gamma)}.
     * @param gamma The mixing network's output {@code [N]}.
     * @param training Whether this is a training pass.
     * @return The mixing logit {@code [N]}.
     */
    public NDArray mixingLogit(NDArray gamma, boolean training) {
        if (variant == Variant.SIMPLE || training) {
            return gamma;
        }
        NDArray logSigmoid = ProbabilityMixing.softplus(gamma.neg()).neg();
        NDArray alpha = TapeConstants.times(logSigmoid.exp(), evalAlphaScale).add(evalAlphaBias);
        return alpha.log().sub(alpha.neg().add(1f).log());
    }

    /**
     * The observed layer of the standard network.
     * @return Its dotted name.
     */
    public String standardLayer() {
        return standardLayer;
    }

    /**
     * The observed layer of the robust network.
     * @return Its dotted name.
     */
    public String robustLayer() {
        return robustLayer;
    }

    private boolean convolutional(Shape standard, Shape robust) {
        return convChannels > 0 && standard.dimension() == 3 && robust.dimension() == 3
                && standard.get(1) == robust.get(1) && standard.get(2) == robust.get(2);
    }

    /**
     * Combines both models' features into the mixing network's input.
     * @param standard The standard network's features {@code [N, ...]}.
     * @param robust The robust network's features {@code [N, ...]}.
     * @return Channel-concatenated maps, or concatenated flat vectors.
     */
    public NDArray combine(NDArray standard, NDArray robust) {
        if (convolutional(standard.getShape().slice(1), robust.getShape().slice(1))) {
            return standard.concat(robust, 1);
        }
        long n = standard.getShape().get(0);
        return standard.reshape(n, -1).concat(robust.reshape(n, -1), 1);
    }

    /**
     * Assembles the mixing network for the given feature shapes, with zero-filled parameters.
     * @param standard The standard network's feature shape (one example).
     * @param robust The robust network's feature shape.
     * @return The network; the caller initialises or loads it, and closes it.
     */
    public Network assemble(Shape standard, Shape robust) {
        NDManager manager = DjlRuntime.newManager();
        try {
            Sequential root = new Sequential();
            Shape input;
            int width;
            if (convolutional(standard, robust)) {
                input = new Shape(standard.get(0) + robust.get(0), standard.get(1), standard.get(2));
                root.add("conv", new Conv2d(manager, Math.toIntExact(input.get(0)), convChannels, 3, 1, 1, true));
                root.add("conv_act", new ActivationLayer(Activation.RELU));
                root.add("pool", new GlobalAveragePool());
                width = convChannels;
            } else {
                input = new Shape(standard.size() + robust.size());
                width = Math.toIntExact(input.get(0));
            }
            root.add("fc", new Linear(manager, width, hiddenSize, true));
            root.add("fc_act", new ActivationLayer(Activation.RELU));
            root.add("head", new Linear(manager, hiddenSize, 1, true));
            if (variant == Variant.PAPER) {
                root.add("gamma_norm", new GammaNormalization(manager, clampStds, trainGammaScale, trainGammaBias,
                        evalGammaScale, evalGammaBias));
            }
            return new Network(manager, root, input);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Builds the mixing network and draws its initial weights.
     * @param standard The standard network's feature shape.
     * @param robust The robust network's feature shape.
     * @param seed The initialisation seed.
     * @return The initialised network.
     */
    public Network build(Shape standard, Shape robust, long seed) {
        Network network = assemble(standard, robust);
        network.initialize(seed);
        return network;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "MixingNetworkSpec");
    }

    @Override
    public String toString() {
        return "MixingNetworkSpec(standardLayer=" + standardLayer + ",robustLayer=" + robustLayer
                + (robustSecondLayer.isEmpty() ? "" : ",robustSecondLayer=" + robustSecondLayer) + ",convChannels="
                + convChannels + ",hiddenSize=" + hiddenSize + (variant == Variant.SIMPLE ? "" : ",variant=" + variant
                + ",clampStds=" + clampStds + ",trainGamma=" + trainGammaScale + "x+" + trainGammaBias + ",evalGamma="
                + evalGammaScale + "x+" + evalGammaBias + ",evalAlpha=" + evalAlphaBias + "+" + evalAlphaScale
                + "*sigmoid)") + ")";
    }
}
