package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * One corruption type of Hendrycks and Dietterich (2019), "Benchmarking Neural Network Robustness to Common
 * Corruptions and Perturbations", for grayscale images with values in {@code [0, 1]}. Its parameter table has five
 * rows, one per severity, tuned for 28x28 images; lengths in pixels are scaled for other sizes.
 */
interface ImageCorruption {

    /**
     * Corrupts an image.
     * @param image The clean image, values in {@code [0, 1]}; not modified.
     * @param severity The severity, 1 to 5 (already checked).
     * @param rng The random stream for this image.
     * @return The corrupted image (values may leave {@code [0, 1]}; the caller clips).
     */
    GrayImage apply(GrayImage image, int severity, SplittableRandom rng);

    /**
     * The factor that converts a length in pixels from the 28x28 table to this image's size.
     * @param image The image.
     * @return {@code min(height, width) / 28}.
     */
    static double lengthScale(GrayImage image) {
        return Math.min(image.height, image.width) / 28.0;
    }
}
