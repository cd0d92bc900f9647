package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.layers.Conv2d;
import org.tribuoadapt.core.nn.layers.DenseLayerFactory;
import org.tribuoadapt.core.nn.layers.PatchTokens;
import org.tribuoadapt.core.nn.layers.PositionEmbedding;
import org.tribuoadapt.core.nn.layers.SequenceTokens;
import org.tribuoadapt.core.nn.layers.Sequential;

/**
 * How the Transformer specs turn an example into tokens: images into square patches by a strided convolution
 * ({@code embed}, then {@code tokens}), flat vectors into a sequence of tokens of width {@code tokenWidth}
 * ({@code tokens}, then a fully connected {@code embed}); then a learned {@code pos_embed}.
 */
final class TokenInput {

    private final int patchSize;
    private final int inputChannels;
    private final int inputHeight;
    private final int inputWidth;
    private final int inputSize;
    private final int tokenWidth;

    /**
     * Checks and holds the input settings of a spec.
     * @param patchSize Patch size for images; 0 for sequences.
     * @param inputChannels Image channels.
     * @param inputHeight Image height.
     * @param inputWidth Image width.
     * @param inputSize Flat input size (sequences).
     * @param tokenWidth Token width (sequences).
     * @throws PropertyException naming the impossible setting.
     */
    TokenInput(int patchSize, int inputChannels, int inputHeight, int inputWidth, int inputSize, int tokenWidth) {
        if (patchSize < 0) {
            throw new PropertyException("", "patchSize", "patchSize must be >= 0, found " + patchSize);
        }
        if (patchSize > 0) {
            if (inputChannels < 1 || inputHeight < 1 || inputWidth < 1
                    || inputHeight % patchSize != 0 || inputWidth % patchSize != 0) {
                throw new PropertyException("", "patchSize", "patchSize " + patchSize + " must divide the image size "
                        + inputHeight + "x" + inputWidth + " (channels " + inputChannels + ")");
            }
        } else if (inputSize < 1 || tokenWidth < 1 || inputSize % tokenWidth != 0) {
            throw new PropertyException("", "tokenWidth", "in sequence mode tokenWidth (" + tokenWidth
                    + ") must be positive and divide inputSize (" + inputSize + ")");
        }
        this.patchSize = patchSize;
        this.inputChannels = inputChannels;
        this.inputHeight = inputHeight;
        this.inputWidth = inputWidth;
        this.inputSize = inputSize;
        this.tokenWidth = tokenWidth;
    }

    /** @return The shape of one example: {@code [C, H, W]} for images, {@code [inputSize]} for sequences. */
    Shape inputShape() {
        return patchSize > 0 ? new Shape(inputChannels, inputHeight, inputWidth) : new Shape(inputSize);
    }

    private int tokenCount() {
        return patchSize > 0 ? (inputHeight / patchSize) * (inputWidth / patchSize) : inputSize / tokenWidth;
    }

    /**
     * Appends {@code embed}, {@code tokens} (in the mode's order) and {@code pos_embed} to a network.
     * @param root The network's root.
     * @param manager The network's manager.
     * @param dim The model width.
     * @param dense Builds the sequence-mode embedding.
     */
    void addTo(Sequential root, NDManager manager, int dim, DenseLayerFactory dense) {
        if (patchSize > 0) {
            root.add("embed", new Conv2d(manager, inputChannels, dim, patchSize, patchSize, 0, true));
            root.add("tokens", new PatchTokens());
        } else {
            root.add("tokens", new SequenceTokens(tokenWidth));
            root.add("embed", dense.create(manager, tokenWidth, dim, true));
        }
        root.add("pos_embed", new PositionEmbedding(manager, tokenCount(), dim));
    }
}
