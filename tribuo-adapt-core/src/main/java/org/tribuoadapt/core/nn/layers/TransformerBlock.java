package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

import java.util.List;

/**
 * A pre-norm Transformer encoder block: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))}, where
 * {@code mlp} is {@code fc1 -> GELU -> fc2} (the ViT arrangement of Dosovitskiy et al. 2021). Children:
 * {@code norm1}, {@code attn} ({@code attn.qkv}, {@code attn.proj}), {@code norm2}, {@code mlp}
 * ({@code mlp.fc1}, {@code mlp.act}, {@code mlp.fc2}). Its residual branches are {@code attn} and {@code mlp}.
 */
public final class TransformerBlock extends Layer implements ResidualBlock {

    /** The child name of the attention branch. */
    public static final String ATTENTION = "attn";

    /** The child name of the feed-forward branch. */
    public static final String FEED_FORWARD = "mlp";

    private final int dim;

    /**
     * Creates a block.
     * @param manager The network's manager.
     * @param dim The model width.
     * @param heads The attention heads.
     * @param mlpDim The hidden width of the feed-forward part.
     * @param dropout Dropout after the attention and feed-forward outputs.
     */
    public TransformerBlock(NDManager manager, int dim, int heads, int mlpDim, double dropout) {
        this(manager, dim, heads, mlpDim, dropout, DenseLayerFactory.PLAIN);
    }

    /**
     * Creates a block with its fully connected layers built by a factory.
     * @param manager The network's manager.
     * @param dim The model width.
     * @param heads The attention heads.
     * @param mlpDim The hidden width of the feed-forward part.
     * @param dropout Dropout after the attention and feed-forward outputs.
     * @param dense Builds {@code attn.qkv}, {@code attn.proj}, {@code mlp.fc1} and {@code mlp.fc2}.
     */
    public TransformerBlock(NDManager manager, int dim, int heads, int mlpDim, double dropout, DenseLayerFactory dense) {
        this.dim = dim;
        addChild("norm1", new LayerNorm(manager, dim));
        addChild(ATTENTION, new MultiHeadSelfAttention(manager, dim, heads, dense));
        addChild("drop1", new Dropout(dropout));
        addChild("norm2", new LayerNorm(manager, dim));
        addChild(FEED_FORWARD, new Sequential()
                .add("fc1", dense.create(manager, dim, mlpDim, true))
                .add("act", new ActivationLayer(Activation.GELU))
                .add("fc2", dense.create(manager, mlpDim, dim, true)));
        addChild("drop2", new Dropout(dropout));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDArray attended = child("drop1").apply(child(ATTENTION).apply(child("norm1").apply(input, context), context), context);
        NDArray x = input.add(attended);
        NDArray fed = child("drop2").apply(child(FEED_FORWARD).apply(child("norm2").apply(x, context), context), context);
        return x.add(fed);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 2 || inputShape.get(1) != dim) {
            throw new IllegalArgumentException("layer '" + path() + "' expects tokens [T, " + dim + "] but gets " + inputShape);
        }
        child(FEED_FORWARD).outputShape(inputShape);
        return inputShape;
    }

    @Override
    public List<String> residualBranches() {
        return List.of(ATTENTION, FEED_FORWARD);
    }

    @Override
    public int width() {
        return dim;
    }

    @Override
    public String describe() {
        return "TransformerBlock(" + dim + ")";
    }
}
