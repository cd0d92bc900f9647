package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.DenseLayerFactory;
import org.tribuoadapt.core.nn.layers.LayerNorm;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.SpectralLinear;
import org.tribuoadapt.core.nn.layers.TokenMeanPool;
import org.tribuoadapt.core.nn.layers.TransformerBlock;

import java.util.Arrays;

/**
 * A small Transformer encoder classifier (ViT-style, Dosovitskiy et al. 2021). Images are cut into square patches
 * by a strided convolution ({@code embed}, then {@code tokens}); flat feature vectors are read as a sequence of
 * tokens of width {@code tokenWidth} ({@code tokens}, then a Linear {@code embed}). Then come a learned
 * {@code pos_embed}, {@code depth} pre-norm blocks {@code blocks.0 .. blocks.(depth-1)} (each with {@code norm1},
 * {@code attn.qkv}, {@code attn.proj}, {@code norm2}, {@code mlp.fc1}, {@code mlp.fc2}), a final LayerNorm
 * {@code norm}, mean pooling over tokens and the output Linear {@code head}. With {@code spectralReparam} every
 * fully connected layer is a {@link SpectralLinear} (σReparam, Zhai et al. 2023); the patch embedding stays a plain
 * convolution. With {@code layerHeads} and {@code layerMlpDims} each block has its own attention heads and
 * feed-forward width, the heterogeneous layers of FlexiBERT (Tuli et al. 2023) that an architecture search can draw.
 */
public final class TransformerSpec implements NetworkSpec {
    private static final long serialVersionUID = 1L;

    @Config(description = "Patch size for image input; 0 reads a flat vector as a token sequence instead.")
    private int patchSize = 7;

    @Config(description = "Image input channels (patch mode).")
    private int inputChannels = 1;

    @Config(description = "Image height (patch mode).")
    private int inputHeight = 28;

    @Config(description = "Image width (patch mode).")
    private int inputWidth = 28;

    @Config(description = "Flat input size (sequence mode).")
    private int inputSize = 0;

    @Config(description = "Token width (sequence mode); must divide inputSize.")
    private int tokenWidth = 0;

    @Config(description = "Model width.")
    private int dim = 64;

    @Config(description = "Number of encoder blocks.")
    private int depth = 2;

    @Config(description = "Attention heads; must divide dim.")
    private int heads = 4;

    @Config(description = "Hidden width of each block's feed-forward part.")
    private int mlpDim = 128;

    @Config(description = "Dropout after attention and feed-forward outputs.")
    private double dropout = 0.0;

    @Config(description = "σReparam (Zhai et al. 2023) on every fully connected layer: the blocks' projections, the "
            + "sequence-mode embedding and the head.")
    private boolean spectralReparam = false;

    @Config(description = "Attention heads of each block, in order (FlexiBERT-style heterogeneous layers); empty for "
            + "heads in every block. Each must divide dim.")
    private int[] layerHeads = new int[0];

    @Config(description = "Feed-forward width of each block, in order (FlexiBERT-style heterogeneous layers); empty "
            + "for mlpDim in every block.")
    private int[] layerMlpDims = new int[0];

    /** For OLCUT. */
    private TransformerSpec() {}

    /**
     * Creates a patch-mode (image) Transformer spec.
     * @param inputChannels Image channels.
     * @param inputHeight Image height.
     * @param inputWidth Image width.
     * @param patchSize Patch size; must divide height and width.
     * @param dim Model width.
     * @param depth Number of blocks.
     * @param heads Attention heads.
     * @param mlpDim Feed-forward width.
     * @return The spec.
     */
    public static TransformerSpec forImages(int inputChannels, int inputHeight, int inputWidth, int patchSize, int dim,
                                            int depth, int heads, int mlpDim) {
        TransformerSpec spec = new TransformerSpec();
        spec.inputChannels = inputChannels;
        spec.inputHeight = inputHeight;
        spec.inputWidth = inputWidth;
        spec.patchSize = patchSize;
        spec.dim = dim;
        spec.depth = depth;
        spec.heads = heads;
        spec.mlpDim = mlpDim;
        spec.postConfig();
        return spec;
    }

    /**
     * Creates a sequence-mode Transformer spec that reads a flat vector as tokens.
     * @param inputSize The flat input size.
     * @param tokenWidth The width of each token; must divide inputSize.
     * @param dim Model width.
     * @param depth Number of blocks.
     * @param heads Attention heads.
     * @param mlpDim Feed-forward width.
     * @return The spec.
     */
    public static TransformerSpec forSequences(int inputSize, int tokenWidth, int dim, int depth, int heads, int mlpDim) {
        TransformerSpec spec = new TransformerSpec();
        spec.patchSize = 0;
        spec.inputSize = inputSize;
        spec.tokenWidth = tokenWidth;
        spec.dim = dim;
        spec.depth = depth;
        spec.heads = heads;
        spec.mlpDim = mlpDim;
        spec.postConfig();
        return spec;
    }

    @Override
    public void postConfig() {
        tokenInput();
        if (dim < 1 || depth < 0 || mlpDim < 1 || heads < 1 || dim % heads != 0) {
            throw new PropertyException("", "heads", "need dim >= 1, depth >= 0, mlpDim >= 1 and heads dividing dim, found dim="
                    + dim + ", depth=" + depth + ", mlpDim=" + mlpDim + ", heads=" + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new PropertyException("", "dropout", "dropout must be in [0, 1), found " + dropout);
        }
        checkPerLayer("layerHeads", layerHeads);
        checkPerLayer("layerMlpDims", layerMlpDims);
        for (int i = 0; i < layerHeads.length; i++) {
            if (dim % layerHeads[i] != 0) {
                throw new PropertyException("", "layerHeads", "block " + i + " has " + layerHeads[i]
                        + " heads, which do not divide dim=" + dim);
            }
        }
    }

    private void checkPerLayer(String name, int[] values) {
        if (values.length != 0 && values.length != depth) {
            throw new PropertyException("", name, name + " needs one value per block (depth=" + depth + "), found "
                    + values.length + ": " + Arrays.toString(values));
        }
        for (int v : values) {
            if (v < 1) {
                throw new PropertyException("", name, name + " must all be >= 1, found " + Arrays.toString(values));
            }
        }
    }

    /**
     * This spec with one attention-head count and one feed-forward width per block, as FlexiBERT's heterogeneous
     * layers (Tuli et al., "FlexiBERT: Are Current Transformer Architectures too Homogeneous and Rigid?", JAIR 2023).
     * @param heads The heads of each block; each must divide the model width.
     * @param mlpDims The feed-forward width of each block.
     * @return A new spec.
     */
    public TransformerSpec withLayers(int[] heads, int[] mlpDims) {
        TransformerSpec copy = copy();
        copy.layerHeads = heads.clone();
        copy.layerMlpDims = mlpDims.clone();
        copy.postConfig();
        return copy;
    }

    private TokenInput tokenInput() {
        return new TokenInput(patchSize, inputChannels, inputHeight, inputWidth, inputSize, tokenWidth);
    }

    @Override
    public Shape inputShape() {
        return tokenInput().inputShape();
    }

    @Override
    public Layer buildLayers(NDManager manager, int numOutputs) {
        Sequential root = new Sequential();
        tokenInput().addTo(root, manager, dim, dense());
        Sequential blocks = new Sequential();
        for (int i = 0; i < depth; i++) {
            int blockHeads = layerHeads.length == 0 ? heads : layerHeads[i];
            int blockMlpDim = layerMlpDims.length == 0 ? mlpDim : layerMlpDims[i];
            blocks.add(Integer.toString(i), new TransformerBlock(manager, dim, blockHeads, blockMlpDim, dropout, dense()));
        }
        root.add("blocks", blocks);
        root.add("norm", new LayerNorm(manager, dim));
        root.add("pool", new TokenMeanPool());
        root.add("head", dense().create(manager, dim, numOutputs, true));
        return root;
    }

    private DenseLayerFactory dense() {
        return spectralReparam ? DenseLayerFactory.SPECTRAL_REPARAM : DenseLayerFactory.PLAIN;
    }

    /**
     * This spec with σReparam on every fully connected layer.
     * @return A new spec.
     */
    public TransformerSpec withSpectralReparam() {
        TransformerSpec copy = copy();
        copy.spectralReparam = true;
        copy.postConfig();
        return copy;
    }

    private TransformerSpec copy() {
        TransformerSpec copy = new TransformerSpec();
        copy.patchSize = patchSize;
        copy.inputChannels = inputChannels;
        copy.inputHeight = inputHeight;
        copy.inputWidth = inputWidth;
        copy.inputSize = inputSize;
        copy.tokenWidth = tokenWidth;
        copy.dim = dim;
        copy.depth = depth;
        copy.heads = heads;
        copy.mlpDim = mlpDim;
        copy.dropout = dropout;
        copy.spectralReparam = spectralReparam;
        copy.layerHeads = layerHeads.clone();
        copy.layerMlpDims = layerMlpDims.clone();
        return copy;
    }

    @Override
    public String toString() {
        return "TransformerSpec(input=" + inputShape() + ",patchSize=" + patchSize + ",tokenWidth=" + tokenWidth
                + ",dim=" + dim + ",depth=" + depth + ",heads=" + heads + ",mlpDim=" + mlpDim + ",dropout=" + dropout
                + (spectralReparam ? ",spectralReparam=true" : "")
                + (layerHeads.length == 0 ? "" : ",layerHeads=" + Arrays.toString(layerHeads))
                + (layerMlpDims.length == 0 ? "" : ",layerMlpDims=" + Arrays.toString(layerMlpDims)) + ")";
    }
}
