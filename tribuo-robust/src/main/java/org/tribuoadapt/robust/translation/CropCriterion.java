package org.tribuoadapt.robust.translation;

/**
 * How a {@link CropSelectionModel} picks the crop its base classifier sees.
 */
public enum CropCriterion {
    /**
     * Robust inference by crop selection (Shifman and Weiss 2024): the crop is chosen from the image content alone,
     * here as the candidate with the largest total intensity (the first in row-major order among equals; the score is
     * this implementation's choice, the content-only selection is the paper's). The choice moves
     * with the image, so an image translated by a few pixels yields the very same crop, and the same prediction,
     * whenever the chosen crop lies inside the candidate range in both images (provable consistency). Costs one base
     * prediction per image.
     */
    CONSISTENCY,
    /**
     * Every candidate crop is classified and the prediction with the largest top probability is kept (the first
     * among equals). No consistency guarantee; costs one base prediction per candidate.
     */
    CONFIDENCE
}
