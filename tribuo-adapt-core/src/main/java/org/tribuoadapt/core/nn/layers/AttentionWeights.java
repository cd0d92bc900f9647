package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * The softmax that turns attention scores {@code [N, heads, T, T]} into attention weights over the keys. It is a
 * layer of its own (the {@code weights} child of {@link MultiHeadSelfAttention}) so that observers see the attention
 * distributions, for example to track their entropy ({@link org.tribuoadapt.core.train.AttentionEntropy}).
 */
public final class AttentionWeights extends Layer {

    /** Creates the layer; it has no parameters. */
    public AttentionWeights() {}

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.softmax(-1);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        return inputShape;
    }

    @Override
    public String describe() {
        return "AttentionWeights(softmax over keys)";
    }
}
