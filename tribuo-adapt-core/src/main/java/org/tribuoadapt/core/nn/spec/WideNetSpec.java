package org.tribuoadapt.core.nn.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.DenseLayerFactory;
import org.tribuoadapt.core.nn.layers.LayerNorm;
import org.tribuoadapt.core.nn.layers.Linear;
import org.tribuoadapt.core.nn.layers.MixtureOfExperts;
import org.tribuoadapt.core.nn.layers.Sequential;
import org.tribuoadapt.core.nn.layers.TokenMeanPool;
import org.tribuoadapt.core.nn.layers.WideNetEncoder;

/**
 * WideNet (Xue et al. 2022, "Go Wider Instead of Deeper", AAAI): a Transformer encoder classifier that goes wider
 * instead of deeper. Its {@code depth} layers share one attention layer and one mixture-of-experts feed-forward layer
 * ({@code encoder.attn}, {@code encoder.moe}: a {@code router} and experts {@code expert_0 ..}, each
 * {@code fc1 -> GELU -> fc2} of hidden width {@code mlpDim}), while every layer keeps its own LayerNorms
 * ({@code encoder.norm1_i}, {@code encoder.norm2_i}); see {@link WideNetEncoder} and {@link MixtureOfExperts} for
 * the routing (top-k, softmax gates, capacity). Tokens come in as in {@link TransformerSpec} (image patches, or a
 * flat vector read as a sequence), followed by a final LayerNorm {@code norm}, mean pooling and the Linear
 * {@code head}.
 * <p>
 * Train it with {@link org.tribuoadapt.core.train.LoadBalancingObjective}, which adds the load-balancing loss of
 * every layer's routing to the cross-entropy; with the plain cross-entropy objective nothing keeps the router from
 * sending every token to one expert.
 */
public final class WideNetSpec implements NetworkSpec {
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

    @Config(description = "Number of layers, all sharing the attention and mixture-of-experts weights.")
    private int depth = 4;

    @Config(description = "Attention heads; must divide dim.")
    private int heads = 4;

    @Config(description = "Hidden width of each expert.")
    private int mlpDim = 128;

    @Config(description = "Number of experts in the shared mixture-of-experts layer.")
    private int experts = 4;

    @Config(description = "Experts each token is routed to (1 or 2 in WideNet); at most experts.")
    private int topK = 2;

    @Config(description = "Expert capacity factor: each expert takes at most ceil(capacityFactor * tokens * topK / experts) "
            + "tokens of a batch; the rest pass through the residual connection only.")
    private double capacityFactor = 1.25;

    @Config(description = "Dropout after attention and mixture-of-experts outputs.")
    private double dropout = 0.0;

    /** For OLCUT. */
    private WideNetSpec() {}

    /**
     * Creates a patch-mode (image) WideNet spec.
     * @param inputChannels Image channels.
     * @param inputHeight Image height.
     * @param inputWidth Image width.
     * @param patchSize Patch size; must divide height and width.
     * @param dim Model width.
     * @param depth Number of layers sharing the weights.
     * @param heads Attention heads.
     * @param mlpDim Hidden width of each expert.
     * @param experts Number of experts.
     * @param topK Experts per token.
     * @param capacityFactor Expert capacity factor.
     * @return The spec.
     */
    public static WideNetSpec forImages(int inputChannels, int inputHeight, int inputWidth, int patchSize, int dim,
                                        int depth, int heads, int mlpDim, int experts, int topK, double capacityFactor) {
        WideNetSpec spec = new WideNetSpec();
        spec.inputChannels = inputChannels;
        spec.inputHeight = inputHeight;
        spec.inputWidth = inputWidth;
        spec.patchSize = patchSize;
        spec.setWidths(dim, depth, heads, mlpDim, experts, topK, capacityFactor);
        spec.postConfig();
        return spec;
    }

    /**
     * Creates a sequence-mode WideNet spec that reads a flat vector as tokens.
     * @param inputSize The flat input size.
     * @param tokenWidth The width of each token; must divide inputSize.
     * @param dim Model width.
     * @param depth Number of layers sharing the weights.
     * @param heads Attention heads.
     * @param mlpDim Hidden width of each expert.
     * @param experts Number of experts.
     * @param topK Experts per token.
     * @param capacityFactor Expert capacity factor.
     * @return The spec.
     */
    public static WideNetSpec forSequences(int inputSize, int tokenWidth, int dim, int depth, int heads, int mlpDim,
                                           int experts, int topK, double capacityFactor) {
        WideNetSpec spec = new WideNetSpec();
        spec.patchSize = 0;
        spec.inputSize = inputSize;
        spec.tokenWidth = tokenWidth;
        spec.setWidths(dim, depth, heads, mlpDim, experts, topK, capacityFactor);
        spec.postConfig();
        return spec;
    }

    private void setWidths(int dim, int depth, int heads, int mlpDim, int experts, int topK, double capacityFactor) {
        this.dim = dim;
        this.depth = depth;
        this.heads = heads;
        this.mlpDim = mlpDim;
        this.experts = experts;
        this.topK = topK;
        this.capacityFactor = capacityFactor;
    }

    @Override
    public void postConfig() {
        tokenInput();
        if (dim < 1 || depth < 1 || mlpDim < 1 || heads < 1 || dim % heads != 0) {
            throw new PropertyException("", "heads", "need dim >= 1, depth >= 1, mlpDim >= 1 and heads dividing dim, found dim="
                    + dim + ", depth=" + depth + ", mlpDim=" + mlpDim + ", heads=" + heads);
        }
        if (experts < 1) {
            throw new PropertyException("", "experts", "WideNet needs at least one expert, found " + experts);
        }
        if (topK < 1 || topK > experts) {
            throw new PropertyException("", "topK", "topK must be between 1 and experts (" + experts + "), found " + topK);
        }
        if (!(capacityFactor > 0) || Double.isInfinite(capacityFactor)) {
            throw new PropertyException("", "capacityFactor", "capacityFactor must be positive and finite, found "
                    + capacityFactor);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new PropertyException("", "dropout", "dropout must be in [0, 1), found " + dropout);
        }
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
        tokenInput().addTo(root, manager, dim, DenseLayerFactory.PLAIN);
        MixtureOfExperts moe = new MixtureOfExperts(manager, dim, mlpDim, experts, topK, capacityFactor);
        root.add("encoder", new WideNetEncoder(manager, dim, depth, heads, moe, dropout));
        root.add("norm", new LayerNorm(manager, dim));
        root.add("pool", new TokenMeanPool());
        root.add("head", new Linear(manager, dim, numOutputs, true));
        return root;
    }

    @Override
    public String toString() {
        return "WideNetSpec(input=" + inputShape() + ",patchSize=" + patchSize + ",tokenWidth=" + tokenWidth
                + ",dim=" + dim + ",depth=" + depth + ",heads=" + heads + ",mlpDim=" + mlpDim + ",experts=" + experts
                + ",topK=" + topK + ",capacityFactor=" + capacityFactor + ",dropout=" + dropout + ")";
    }
}
