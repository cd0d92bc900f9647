package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Brightness (Hendrycks and Dietterich 2019): the HSV value channel is raised by c; for a grayscale pixel the value
 * is the pixel itself, so the result is {@code x + c}. The table is CIFAR-10-C's {@code 0.05, 0.1, 0.15, 0.2, 0.3}.
 */
final class Brightness implements ImageCorruption {

    private static final double[] SHIFT = {0.05, 0.1, 0.15, 0.2, 0.3};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        float[] out = new float[image.pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (image.pixels[i] + SHIFT[severity - 1]);
        }
        return new GrayImage(image.height, image.width, out);
    }
}
