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
 *   {@link #robustLayer()} of the robust network.</li>
 *   <li>When both are feature maps of the same height and width they are concatenated along the channels and pass
 *   through a 3x3 convolution ({@code conv}, {@code convChannels} channels), a ReLU and global average pooling, as
 *   in the paper's policy network; otherwise both are flattened and concatenated.</li>
 *   <li>A hidden layer ({@code fc}, {@code hiddenSize} units, ReLU) and a single output ({@code head}) give
 *   gamma; {@code alpha = sigmoid(gamma)}.</li>
 * </ul>
 */
public final class MixingNetworkSpec implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    @Config(description = "The standard network's layer whose output the mixing network reads.")
    private String standardLayer = "pool1";

    @Config(description = "The robust network's layer whose output the mixing network reads.")
    private String robustLayer = "pool1";

    @Config(description = "Channels of the convolution over the concatenated feature maps; 0 flattens the features instead.")
    private int convChannels = 16;

    @Config(description = "Units of the hidden layer.")
    private int hiddenSize = 32;

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
        return "MixingNetworkSpec(standardLayer=" + standardLayer + ",robustLayer=" + robustLayer + ",convChannels="
                + convChannels + ",hiddenSize=" + hiddenSize + ")";
    }
}
