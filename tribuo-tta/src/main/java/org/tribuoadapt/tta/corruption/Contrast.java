package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Contrast reduction (Hendrycks and Dietterich 2019): {@code (x - mean) c + mean} with the image's mean; the table
 * is CIFAR-10-C's {@code 0.75, 0.5, 0.4, 0.3, 0.15}.
 */
final class Contrast implements ImageCorruption {

    private static final double[] FACTOR = {0.75, 0.5, 0.4, 0.3, 0.15};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double mean = image.mean();
        double c = FACTOR[severity - 1];
        float[] out = new float[image.pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((image.pixels[i] - mean) * c + mean);
        }
        return new GrayImage(image.height, image.width, out);
    }
}
