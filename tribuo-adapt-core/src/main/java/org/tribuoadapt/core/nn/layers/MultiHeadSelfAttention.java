package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
        return attend(input, null, null, context);
    }

    /**
     * Attention in which every query also attends to {@code l} extra key and value positions placed before the
     * sequence's own, as prefix tuning (Li and Liang 2021) adds them; the output has the input's shape. Without prefixes
     * this is the layer's forward pass.
     * @param input Tokens {@code [N, T, D]}.
     * @param keyPrefix Keys {@code [l, D]} shared by the batch, the heads side by side as the {@code qkv} projection
     * lays them out; or null for none.
     * @param valuePrefix Values {@code [l, D]}, laid out as the keys; null exactly when keyPrefix is.
     * @param context The forward context.
     * @return The attended tokens {@code [N, T, D]}.
     * @throws IllegalArgumentException if only one prefix is given or a prefix is not {@code [l, D]}.
     */
    public NDArray attend(NDArray input, NDArray keyPrefix, NDArray valuePrefix, ForwardContext context) {
        if ((keyPrefix == null) != (valuePrefix == null)
                || (keyPrefix != null && !keyPrefix.getShape().equals(valuePrefix.getShape()))
                || (keyPrefix != null && (keyPrefix.getShape().dimension() != 2 || keyPrefix.getShape().get(1) != dim))) {
            throw new IllegalArgumentException("layer '" + path() + "' needs key and value prefixes of one shape [l, " + dim
                    + "], or neither; found " + (keyPrefix == null ? null : keyPrefix.getShape()) + " and "
                    + (valuePrefix == null ? null : valuePrefix.getShape()));
        }
        long n = input.getShape().get(0);
        long t = input.getShape().get(1);
        int headDim = dim / heads;
        NDArray qkv = child("qkv").apply(input, context).reshape(n, t, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDList parts = qkv.split(3, 0);
        NDArray q = parts.get(0).squeeze(0);
        NDArray k = parts.get(1).squeeze(0);
        NDArray v = parts.get(2).squeeze(0);
        if (keyPrefix != null) {
            k = NDArrays.concat(new NDList(headsOf(keyPrefix, n), k), 2);
            v = NDArrays.concat(new NDList(headsOf(valuePrefix, n), v), 2);
        }
        NDArray scores = TapeConstants.dividedBy(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(headDim));
        NDArray attended = child("weights").apply(scores, context).matMul(v).transpose(0, 2, 1, 3).reshape(n, t, dim);
        return child("proj").apply(attended, context);
    }

    /** A prefix {@code [l, D]} as per-head positions {@code [N, heads, l, D / heads]} for every example. */
    private NDArray headsOf(NDArray prefix, long n) {
        long l = prefix.getShape().get(0);
        int headDim = dim / heads;
        return prefix.reshape(l, heads, headDim).transpose(1, 0, 2).expandDims(0).broadcast(new Shape(n, heads, l, headDim));
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
