package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * The encoder of WideNet (Xue et al. 2022, "Go Wider Instead of Deeper"): {@code depth} pre-norm Transformer layers
 * that all apply one shared attention layer {@code attn} and one shared {@link MixtureOfExperts} {@code moe}, each
 * with its own LayerNorms {@code norm1_i} and {@code norm2_i}. Layer i computes {@code x + attn(norm1_i(x))}, then
 * {@code x + moe(norm2_i(x))}, with dropout after {@code attn} and {@code moe} as in {@link TransformerBlock}. The
 * network therefore holds one attention layer, one mixture of experts and {@code 2 * depth} LayerNorms; replacing
 * {@code attn} or a layer inside {@code moe} (an adapter) changes every layer.
 */
public final class WideNetEncoder extends Layer {

    private final int dim;
    private final int depth;

    /**
     * Creates the encoder.
     * @param manager The network's manager.
     * @param dim The model width.
     * @param depth The number of layers sharing the weights, at least 1.
     * @param heads The attention heads.
     * @param moe The shared mixture of experts over width {@code dim}.
     * @param dropout Dropout after the attention and mixture-of-experts outputs.
     */
    public WideNetEncoder(NDManager manager, int dim, int depth, int heads, MixtureOfExperts moe, double dropout) {
        if (depth < 1) {
            throw new IllegalArgumentException("a WideNet encoder needs at least one layer, found depth " + depth);
        }
        this.dim = dim;
        this.depth = depth;
        addChild("attn", new MultiHeadSelfAttention(manager, dim, heads));
        addChild("drop1", new Dropout(dropout));
        addChild("moe", moe);
        addChild("drop2", new Dropout(dropout));
        for (int i = 0; i < depth; i++) {
            addChild(norm(1, i), new LayerNorm(manager, dim));
            addChild(norm(2, i), new LayerNorm(manager, dim));
        }
    }

    private static String norm(int which, int layer) {
        return "norm" + which + "_" + layer;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        NDArray x = input;
        for (int i = 0; i < depth; i++) {
            NDArray attended = child("drop1").apply(child("attn").apply(child(norm(1, i)).apply(x, context), context), context);
            x = x.add(attended);
            NDArray mixed = child("drop2").apply(child("moe").apply(child(norm(2, i)).apply(x, context), context), context);
            x = x.add(mixed);
        }
        return x;
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 2 || inputShape.get(1) != dim) {
            throw new IllegalArgumentException("layer '" + path() + "' expects tokens [T, " + dim + "] but gets " + inputShape);
        }
        child("attn").outputShape(inputShape);
        return child("moe").outputShape(inputShape);
    }

    /** @return The number of layers. */
    public int depth() {
        return depth;
    }

    @Override
    public String describe() {
        return "WideNetEncoder(" + dim + ", depth " + depth + ")";
    }
}
