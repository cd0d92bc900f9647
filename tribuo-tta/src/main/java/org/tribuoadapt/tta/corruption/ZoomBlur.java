package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Zoom blur (Hendrycks and Dietterich 2019): the mean of the image and its {@link ClippedZoom}s by factors
 * 1.00, 1.01, ... up to a maximum of {@code 1.05, 1.10, 1.15, 1.20, 1.25} per severity (CIFAR-10-C's ranges; the
 * factors are relative, so they need no scaling for 28x28).
 */
final class ZoomBlur implements ImageCorruption {

    private static final int[] STEPS = {5, 10, 15, 20, 25};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        int steps = STEPS[severity - 1];
        double[] sum = new double[image.pixels.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = image.pixels[i];
        }
        for (int s = 0; s <= steps; s++) {
            GrayImage zoomed = ClippedZoom.apply(image, 1 + s / 100.0);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += zoomed.pixels[i];
            }
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (sum[i] / (steps + 2));
        }
        return new GrayImage(image.height, image.width, out);
    }
}
