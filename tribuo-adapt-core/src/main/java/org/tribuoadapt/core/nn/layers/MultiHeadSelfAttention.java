package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.TapeConstants;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017) over {@code [N, T, D]} token sequences, with
 * a fused {@code qkv} projection ({@code D -> 3D}) and an output projection {@code proj}, both fully connected
 * children ({@link Linear} by default, which adapters can target; or as a {@link DenseLayerFactory} builds them).
 */
public final class MultiHeadSelfAttention extends Layer {

    private final int dim;
    private final int heads;

    /**
     * Creates the attention layer.
     * @param manager The network's manager.
     * @param dim The model width.
     * @param heads The number of heads; must divide {@code dim}.
     */
    public MultiHeadSelfAttention(NDManager manager, int dim, int heads) {
        this(manager, dim, heads, DenseLayerFactory.PLAIN);
    }

    /**
     * Creates the attention layer with its projections built by a factory.
     * @param manager The network's manager.
     * @param dim The model width.
     * @param heads The number of heads; must divide {@code dim}.
     * @param dense Builds the {@code qkv} and {@code proj} projections.
     */
    public MultiHeadSelfAttention(NDManager manager, int dim, int heads, DenseLayerFactory dense) {
        if (heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("attention heads (" + heads + ") must be positive and divide the width (" + dim + ")");
        }
        this.dim = dim;
        this.heads = heads;
        addChild("qkv", dense.create(manager, dim, 3 * dim, true));
        addChild("weights", new AttentionWeights());
        addChild("proj", dense.create(manager, dim, dim, true));
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        long n = input.getShape().get(0);
        long t = input.getShape().get(1);
        int headDim = dim / heads;
        NDArray qkv = child("qkv").apply(input, context).reshape(n, t, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDList parts = qkv.split(3, 0);
        NDArray q = parts.get(0).squeeze(0);
        NDArray k = parts.get(1).squeeze(0);
        NDArray v = parts.get(2).squeeze(0);
        NDArray scores = TapeConstants.dividedBy(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(headDim));
        NDArray attended = child("weights").apply(scores, context).matMul(v).transpose(0, 2, 1, 3).reshape(n, t, dim);
        return child("proj").apply(attended, context);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 2 || inputShape.get(1) != dim) {
            throw new IllegalArgumentException("layer '" + path() + "' expects tokens [T, " + dim + "] but gets " + inputShape);
        }
        return inputShape;
    }

    /** @return The model width. */
    public int dim() {
        return dim;
    }

    /** @return The number of heads. */
    public int heads() {
        return heads;
    }

    @Override
    public String describe() {
        return "MultiHeadSelfAttention(" + dim + ", heads " + heads + ")";
    }
}
