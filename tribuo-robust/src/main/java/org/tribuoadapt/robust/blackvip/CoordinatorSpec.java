package org.tribuoadapt.robust.blackvip;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.ActivationLayer;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.MaxPool2d;
import org.tribuoadapt.core.nn.layers.Sequential;

import java.io.Serializable;

/**
 * The architecture of BlackVIP's coordinator (Oh et al., CVPR 2023, section 3.2), which turns an image into a visual
 * prompt for it. One network with two parts:
 * <ul>
 *   <li>{@code encoder}, frozen: two 3x3 convolutions ({@code encoderChannels} channels) with ReLU, each followed by a
 *   2x2 max pooling, giving feature maps of a quarter of the image's height and width. The paper uses a pretrained
 *   self-supervised encoder (MAE ViT-B in the authors' code); none is available here, so the encoder is a fixed random
 *   convolutional feature extractor drawn from the trainer's seed (random features), saved with the model's weights,
 *   and never trained.</li>
 *   <li>{@code decoder}, trained: the prompt trigger ({@link PromptTrigger}, {@code triggerChannels} learned maps
 *   concatenated with the features, the authors' {@code p_trigger}), then twice a 2x nearest upsampling and a 3x3
 *   convolution, with GELU in between (the authors' activation), ending with {@code tanh}. The authors' decoder uses
 *   stride-2 transposed convolutions and BatchNorm; upsampling plus convolution keeps it small for SPSA, and without
 *   BatchNorm the prompt of an image does not depend on its batch.</li>
 * </ul>
 * The prompt is {@code promptBound * tanh(decoder)}, in {@code [-promptBound, promptBound]}, and the prompted image
 * is {@code clip(x + prompt, 0, 1)}. The authors' code scales the unbounded decoder output by {@code P_EPS} (1.0) and
 * clips the prompted image to the valid input range; the tanh makes the bound explicit (default 1.0, the authors'
 * {@code P_EPS}, on images in [0, 1]). Images must have a height and width divisible by 4.
 */
public final class CoordinatorSpec implements Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {
    private static final long serialVersionUID = 1L;

    /** Path of the frozen encoder in the coordinator network. */
    static final String ENCODER = "encoder";
    /** Path of the trained decoder in the coordinator network. */
    static final String DECODER = "decoder";
    /** The decoder's last convolution, which starts at zero. */
    static final String OUTPUT = "conv2";

    @Config(description = "Image channels.")
    private int channels = 1;

    @Config(description = "Image height (divisible by 4).")
    private int height = 28;

    @Config(description = "Image width (divisible by 4).")
    private int width = 28;

    @Config(description = "Channels of the frozen encoder's two convolutions.")
    private int encoderChannels = 8;

    @Config(description = "Channels of the learned prompt trigger concatenated with the encoder's features.")
    private int triggerChannels = 2;

    @Config(description = "Channels of the decoder's hidden convolution.")
    private int decoderChannels = 8;

    @Config(description = "The prompt's bound: prompt = promptBound * tanh(decoder output).")
    private double promptBound = 1.0;

    /** For OLCUT. */
    private CoordinatorSpec() {}

    /**
     * Creates a coordinator architecture.
     * @param channels The image channels.
     * @param height The image height, divisible by 4.
     * @param width The image width, divisible by 4.
     * @param encoderChannels The encoder's channels.
     * @param triggerChannels The prompt trigger's channels (0 for none).
     * @param decoderChannels The decoder's hidden channels.
     * @param promptBound The prompt's bound, positive.
     */
    public CoordinatorSpec(int channels, int height, int width, int encoderChannels, int triggerChannels,
                           int decoderChannels, double promptBound) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.encoderChannels = encoderChannels;
        this.triggerChannels = triggerChannels;
        this.decoderChannels = decoderChannels;
        this.promptBound = promptBound;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (channels < 1 || height < 4 || width < 4 || height % 4 != 0 || width % 4 != 0) {
            throw new PropertyException("", "height", "the coordinator needs images with at least one channel and a "
                    + "height and width divisible by 4, found " + channels + "x" + height + "x" + width);
        }
        if (encoderChannels < 1 || decoderChannels < 1 || triggerChannels < 0) {
            throw new PropertyException("", "encoderChannels", "encoderChannels and decoderChannels must be at least 1 "
                    + "and triggerChannels at least 0, found " + encoderChannels + ", " + decoderChannels + " and "
                    + triggerChannels);
        }
        if (!(promptBound > 0) || Double.isInfinite(promptBound)) {
            throw new PropertyException("", "promptBound", "promptBound must be positive and finite, found " + promptBound);
        }
    }

    /**
     * The image channels.
     * @return The channels.
     */
    public int channels() {
        return channels;
    }

    /**
     * The image height.
     * @return The height.
     */
    public int height() {
        return height;
    }

    /**
     * The image width.
     * @return The width.
     */
    public int width() {
        return width;
    }

    /**
     * The prompt's bound.
     * @return The largest absolute prompt value.
     */
    public double promptBound() {
        return promptBound;
    }

    /**
     * Builds the coordinator network with zero weights and the encoder frozen.
     * @return The network; the caller closes it.
     */
    public Network assemble() {
        NDManager manager = DjlRuntime.newManager();
        try {
            Sequential encoder = new Sequential()
                    .add("conv1", new Conv2d(manager, channels, encoderChannels, 3, 1, 1, true))
                    .add("act1", new ActivationLayer(Activation.RELU))
                    .add("pool1", new MaxPool2d(2))
                    .add("conv2", new Conv2d(manager, encoderChannels, encoderChannels, 3, 1, 1, true))
                    .add("act2", new ActivationLayer(Activation.RELU))
                    .add("pool2", new MaxPool2d(2));
            Sequential decoder = new Sequential();
            if (triggerChannels > 0) {
                decoder.add("trigger", new PromptTrigger(manager, triggerChannels, height / 4, width / 4));
            }
            decoder.add("up1", new Upsample())
                    .add("conv1", new Conv2d(manager, encoderChannels + triggerChannels, decoderChannels, 3, 1, 1, true))
                    .add("act1", new ActivationLayer(Activation.GELU))
                    .add("up2", new Upsample())
                    .add(OUTPUT, new Conv2d(manager, decoderChannels, channels, 3, 1, 1, true))
                    .add("bound", new ActivationLayer(Activation.TANH));
            Sequential root = new Sequential().add(ENCODER, encoder).add(DECODER, decoder);
            Network network = new Network(manager, root, new Shape(channels, height, width));
            for (Parameter p : network.parameters().values()) {
                if (p.kind() == Parameter.Kind.WEIGHT) {
                    p.setTrainable(false);
                }
            }
            return network;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Builds the coordinator network with initial weights drawn from a seed (the encoder's fixed random weights
     * included), except the decoder's last convolution, which starts at zero: the initial prompt is zero, so training
     * starts from the unprompted black box (the authors' decoder starts random; a random prompt of bound 1 would
     * first destroy the images).
     * @param seed The seed.
     * @return The network; the caller closes it.
     */
    public Network build(long seed) {
        Network network = assemble();
        network.initialize(seed);
        Layer output = network.layer(DECODER + "." + OUTPUT);
        for (Parameter p : output.parameters().values()) {
            p.assign(new float[Math.toIntExact(p.size())]);
        }
        return network;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "CoordinatorSpec");
    }

    @Override
    public String toString() {
        return "CoordinatorSpec(image=" + channels + "x" + height + "x" + width + ",encoderChannels=" + encoderChannels
                + ",triggerChannels=" + triggerChannels + ",decoderChannels=" + decoderChannels + ",promptBound="
                + promptBound + ")";
    }
}
