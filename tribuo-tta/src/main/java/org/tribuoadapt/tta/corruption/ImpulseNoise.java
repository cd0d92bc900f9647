package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Salt-and-pepper noise (Hendrycks and Dietterich 2019, as scikit-image's {@code random_noise(mode='s&p')}): each
 * pixel is replaced with probability {@code amount}, by white or black with equal chance; the amount per severity
 * is the CIFAR-10-C table {@code 0.01, 0.02, 0.03, 0.05, 0.07}.
 */
final class ImpulseNoise implements ImageCorruption {

    private static final double[] AMOUNT = {0.01, 0.02, 0.03, 0.05, 0.07};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double amount = AMOUNT[severity - 1];
        float[] out = image.pixels.clone();
        for (int i = 0; i < out.length; i++) {
            if (rng.nextDouble() < amount) {
                out[i] = rng.nextBoolean() ? 1f : 0f;
            }
        }
        return new GrayImage(image.height, image.width, out);
    }
}
