package org.tribuoadapt.core.nn.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Layer;

/**
 * Splits each flat feature vector {@code [N, T*d]} into a sequence of {@code T} tokens of width {@code d},
 * {@code [N, T, d]}, so that a Transformer encoder can read plain Tribuo feature vectors as sequences.
 */
public final class SequenceTokens extends Layer {

    private final int tokenWidth;

    /**
     * Creates the layer.
     * @param tokenWidth The width {@code d} of each token.
     */
    public SequenceTokens(int tokenWidth) {
        if (tokenWidth < 1) {
            throw new IllegalArgumentException("token width must be positive, found " + tokenWidth);
        }
        this.tokenWidth = tokenWidth;
    }

    @Override
    protected NDArray forward(NDArray input, ForwardContext context) {
        return input.reshape(input.getShape().get(0), -1, tokenWidth);
    }

    @Override
    public Shape outputShape(Shape inputShape) {
        if (inputShape.dimension() != 1 || inputShape.get(0) % tokenWidth != 0) {
            throw new IllegalArgumentException("layer '" + path() + "' cannot split input " + inputShape
                    + " into tokens of width " + tokenWidth);
        }
        return new Shape(inputShape.get(0) / tokenWidth, tokenWidth);
    }

    /** @return The width of each token. */
    public int tokenWidth() {
        return tokenWidth;
    }

    @Override
    public String describe() {
        return "SequenceTokens(width " + tokenWidth + ")";
    }
}
