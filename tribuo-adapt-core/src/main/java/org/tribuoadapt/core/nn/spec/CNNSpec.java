package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.layers.ActivationLayer;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.core.nn.layers.CompandedConv2d;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.Dropout;
import org.tribuoadapt.core.nn.layers.Flatten;
import org.tribuoadapt.core.nn.layers.MaxPool2d;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.WeightCompander;

import java.util.Arrays;

/**
 * A small convolutional network for images: conv blocks ({@code convI}, optional {@code bnI} BatchNorm,
 * {@code actI}, optional {@code poolI} max pooling), {@code flatten} in NCHW order, fully connected blocks
 * ({@code fcJ}, {@code fc_actJ}, optional {@code fc_dropJ}) and the output layer {@code head}. With the defaults it
 * is the conv-BN-ReLU-pool network of the project's PyTorch peer benchmark. With a {@code weightCompander} every
 * convolution is a {@link CompandedConv2d} and every fully connected layer a {@code CompandedLinear} (weight compander,
 * Cakaj et al. 2023).
 */
public final class CNNSpec implements NetworkSpec {
    private static final long serialVersionUID = 1L;

    @Config(description = "Input channels.")
    private int inputChannels = 1;

    @Config(description = "Input height in pixels.")
    private int inputHeight = 28;

    @Config(description = "Input width in pixels.")
    private int inputWidth = 28;

    @Config(description = "Output channels of each conv block, in order.")
    private int[] channels = {32, 64};

    @Config(description = "Square kernel size of every convolution.")
    private int kernelSize = 3;

    @Config(description = "Pad every convolution by kernelSize / 2 so it keeps the image size ('same' padding).")
    private boolean samePadding = true;

    @Config(description = "Zero padding of every convolution when samePadding is false.")
    private int padding = 0;

    @Config(description = "Whether each convolution is followed by BatchNorm.")
    private boolean batchNorm = true;

    @Config(description = "Max-pooling window after each conv block; 0 or 1 disables pooling.")
    private int poolSize = 2;

    @Config(description = "Widths of the fully connected hidden layers before the head.")
    private int[] hiddenSizes = {128};

    @Config(description = "Nonlinearity used throughout.")
    private Activation activation = Activation.RELU;

    @Config(description = "Dropout probability after each fully connected hidden layer.")
    private double dropout = 0.0;

    @Config(description = "A weight compander (Cakaj et al. 2023) on every convolution and fully connected layer; "
            + "plain layers when unset.")
    private WeightCompander weightCompander = null;

    /** For OLCUT. */
    private CNNSpec() {}

    /**
     * Creates a CNN spec with 'same' padding and ReLU.
     * @param inputChannels Input channels.
     * @param inputHeight Input height.
     * @param inputWidth Input width.
     * @param channels Output channels per conv block.
     * @param batchNorm Whether to use BatchNorm after each convolution.
     * @param poolSize Max-pooling window (0 or 1 for none).
     * @param hiddenSizes Fully connected hidden widths.
     */
    public CNNSpec(int inputChannels, int inputHeight, int inputWidth, int[] channels, boolean batchNorm, int poolSize,
                   int[] hiddenSizes) {
        this.inputChannels = inputChannels;
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.channels = channels.clone();
        this.batchNorm = batchNorm;
        this.poolSize = poolSize;
        this.hiddenSizes = hiddenSizes.clone();
        postConfig();
    }

    @Override
    public void postConfig() {
        if (inputChannels < 1 || inputHeight < 1 || inputWidth < 1) {
            throw new PropertyException("", "inputChannels", "the input shape must be positive, found ["
                    + inputChannels + ", " + inputHeight + ", " + inputWidth + "]");
        }
        if (channels.length == 0 || Arrays.stream(channels).anyMatch(c -> c < 1)) {
            throw new PropertyException("", "channels", "channels needs at least one positive value, found " + Arrays.toString(channels));
        }
        if (Arrays.stream(hiddenSizes).anyMatch(h -> h < 1)) {
            throw new PropertyException("", "hiddenSizes", "every hidden size must be positive, found " + Arrays.toString(hiddenSizes));
        }
        if (kernelSize < 1 || padding < 0 || poolSize < 0) {
            throw new PropertyException("", "kernelSize", "kernelSize must be positive, padding and poolSize >= 0, found "
                    + kernelSize + ", " + padding + ", " + poolSize);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new PropertyException("", "dropout", "dropout must be in [0, 1), found " + dropout);
        }
    }

    @Override
    public Shape inputShape() {
        return new Shape(inputChannels, inputHeight, inputWidth);
    }

    @Override
    public Layer buildLayers(NDManager manager, int numOutputs) {
        int pad = samePadding ? kernelSize / 2 : padding;
        Sequential root = new Sequential();
        Shape shape = inputShape();
        int in = inputChannels;
        for (int i = 0; i < channels.length; i++) {
            String n = Integer.toString(i + 1);
            root.add("conv" + n, weightCompander == null
                    ? new Conv2d(manager, in, channels[i], kernelSize, 1, pad, true)
                    : new CompandedConv2d(manager, in, channels[i], kernelSize, 1, pad, true, weightCompander));
            if (batchNorm) {
                root.add("bn" + n, new BatchNorm(manager, channels[i]));
            }
            root.add("act" + n, new ActivationLayer(activation));
            if (poolSize > 1) {
                root.add("pool" + n, new MaxPool2d(poolSize));
            }
            in = channels[i];
        }
        root.add("flatten", new Flatten());
        // the flattened width follows from the conv stack, so it is computed rather than configured
        int width = Math.toIntExact(root.outputShape(shape).get(0));
        DenseStack.append(root, manager, width, hiddenSizes, activation, dropout, "fc_act", "fc_drop", numOutputs,
                weightCompander);
        return root;
    }

    /**
     * This spec with a weight compander on every convolution and fully connected layer.
     * @param compander The compander.
     * @return A new spec.
     * @throws IllegalArgumentException If the compander is null.
     */
    public CNNSpec withWeightCompander(WeightCompander compander) {
        if (compander == null) {
            throw new IllegalArgumentException("withWeightCompander needs a compander, found null");
        }
        CNNSpec copy = new CNNSpec(inputChannels, inputHeight, inputWidth, channels, batchNorm, poolSize, hiddenSizes);
        copy.kernelSize = kernelSize;
        copy.samePadding = samePadding;
        copy.padding = padding;
        copy.activation = activation;
        copy.dropout = dropout;
        copy.weightCompander = compander;
        copy.postConfig();
        return copy;
    }

    @Override
    public String toString() {
        return "CNNSpec(input=[" + inputChannels + "," + inputHeight + "," + inputWidth + "],channels="
                + Arrays.toString(channels) + ",kernelSize=" + kernelSize + ",padding=" + (samePadding ? "same" : Integer.toString(padding)) + ",batchNorm="
                + batchNorm + ",poolSize=" + poolSize + ",hiddenSizes=" + Arrays.toString(hiddenSizes)
                + ",activation=" + activation + ",dropout=" + dropout
                + (weightCompander == null ? "" : ",weightCompander=" + weightCompander) + ")";
    }
}
