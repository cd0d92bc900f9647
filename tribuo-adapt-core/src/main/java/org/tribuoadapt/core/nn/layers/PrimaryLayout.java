package org.tribuoadapt.core.nn.layers;

import java.util.Arrays;

/**
 * Where each weight of a hypernetwork's primary network sits in the flat weight vector {@code theta} the
 * hypernetwork predicts. The primary network is a multi-layer perceptron of widths {@code [in, h1, .., hK, out]}: layer
 * {@code l} ({@code fc1 .. fcK}, then {@code head}) has a weight {@code [w(l+1), w(l)]} stored row-major and a bias
 * {@code [w(l+1)]}; the layers follow one another in {@code theta}, each weight before its bias.
 */
public final class PrimaryLayout {

    private final int[] widths;
    private final int[] offsets;

    /**
     * Creates the layout.
     * @param widths The widths, input first and output last; at least two, all positive.
     * @throws IllegalArgumentException if there are fewer than two widths or one is not positive.
     */
    public PrimaryLayout(int[] widths) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("a primary network needs an input and an output width, found "
                    + Arrays.toString(widths));
        }
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("every primary network width must be positive, found " + Arrays.toString(widths));
            }
        }
        this.widths = widths.clone();
        this.offsets = new int[widths.length];
        long total = 0;
        for (int l = 0; l < layers(); l++) {
            offsets[l] = (int) total;
            total += (long) widths[l + 1] * widths[l] + widths[l + 1];
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the primary network " + Arrays.toString(widths) + " has more than "
                        + Integer.MAX_VALUE + " weights");
            }
        }
        offsets[layers()] = (int) total;
    }

    /** @return The number of layers (hidden layers and the head). */
    public int layers() {
        return widths.length - 1;
    }

    /** @return The length of {@code theta}. */
    public int parameterCount() {
        return offsets[layers()];
    }

    /**
     * @param layer The layer index, from 0.
     * @return Its input width (fan-in).
     */
    public int inWidth(int layer) {
        return widths[layer];
    }

    /**
     * @param layer The layer index, from 0.
     * @return Its output width.
     */
    public int outWidth(int layer) {
        return widths[layer + 1];
    }

    /**
     * @param layer The layer index, from 0.
     * @return Where its weight starts in {@code theta}.
     */
    public int weightOffset(int layer) {
        return offsets[layer];
    }

    /**
     * @param layer The layer index, from 0.
     * @return Where its bias starts in {@code theta}.
     */
    public int biasOffset(int layer) {
        return offsets[layer] + widths[layer + 1] * widths[layer];
    }

    /**
     * The layer's name as the equivalent PyTorch module calls it.
     * @param layer The layer index, from 0.
     * @return {@code fc1 .. fcK}, or {@code head} for the last layer.
     */
    public String name(int layer) {
        return layer == layers() - 1 ? "head" : "fc" + (layer + 1);
    }

    @Override
    public String toString() {
        return Arrays.toString(widths);
    }
}
