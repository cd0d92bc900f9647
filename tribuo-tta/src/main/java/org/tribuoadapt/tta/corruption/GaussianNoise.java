package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Additive Gaussian noise {@code x + N(0, sigma^2)} (Hendrycks and Dietterich 2019); sigma per severity is the
 * CIFAR-10-C table {@code 0.04, 0.06, 0.08, 0.09, 0.10}.
 */
final class GaussianNoise implements ImageCorruption {

    private static final double[] SIGMA = {0.04, 0.06, 0.08, 0.09, 0.10};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double sigma = SIGMA[severity - 1];
        float[] out = new float[image.pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (image.pixels[i] + sigma * rng.nextGaussian());
        }
        return new GrayImage(image.height, image.width, out);
    }
}
