package org.tribuoadapt.peft.sara;

import java.util.Arrays;

/**
 * SaRA's choice of the weights to tune (Hu et al. 2025): the weights of smallest magnitude, which the authors find
 * contribute least to the pre-trained model's outputs. Either every weight with {@code |w| < threshold} (the authors'
 * rule, threshold 2e-3 by default), or, when a fraction is given, exactly {@code floor(fraction n)} weights of the
 * layer, the smallest in magnitude, the earlier entry winning among equal magnitudes.
 */
final class MagnitudeSelection {

    private final float[] mask;
    private final float bound;

    private MagnitudeSelection(float[] mask, float bound) {
        this.mask = mask;
        this.bound = bound;
    }

    /**
     * Selects the weights with {@code |w| < threshold}.
     * @param weights The layer's weights.
     * @param threshold The magnitude bound.
     * @return The selection.
     */
    static MagnitudeSelection belowThreshold(float[] weights, double threshold) {
        float bound = (float) threshold;
        float[] mask = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            mask[i] = Math.abs(weights[i]) < bound ? 1f : 0f;
        }
        return new MagnitudeSelection(mask, bound);
    }

    /**
     * Selects the {@code floor(fraction n)} weights of smallest magnitude.
     * @param weights The layer's weights.
     * @param fraction The share to select, in (0, 1].
     * @return The selection; its bound is the smallest magnitude left out (infinite when every weight is selected).
     */
    static MagnitudeSelection smallestFraction(float[] weights, double fraction) {
        int k = (int) Math.floor(fraction * weights.length);
        float[] magnitudes = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            magnitudes[i] = Math.abs(weights[i]);
        }
        float[] sorted = magnitudes.clone();
        Arrays.sort(sorted);
        float[] mask = new float[weights.length];
        if (k == 0) {
            return new MagnitudeSelection(mask, 0f);
        }
        float kth = sorted[k - 1];
        int below = 0;
        for (float m : sorted) {
            below += m < kth ? 1 : 0;
        }
        int ties = k - below;
        for (int i = 0; i < weights.length; i++) {
            if (magnitudes[i] < kth || (magnitudes[i] == kth && ties-- > 0)) {
                mask[i] = 1f;
            }
        }
        return new MagnitudeSelection(mask, k == weights.length ? Float.POSITIVE_INFINITY : sorted[k]);
    }

    /**
     * The 0/1 mask of the selected weights.
     * @return A copy.
     */
    float[] mask() {
        return mask.clone();
    }

    /**
     * The magnitude a weight must stay below to remain selected when the selection is revised: the threshold, or
     * with a fraction the smallest magnitude the selection left out.
     * @return The bound.
     */
    float bound() {
        return bound;
    }
}
