package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Motion blur (Hendrycks and Dietterich 2019): a {@link MotionBlurFilter} trail at a uniformly random angle in
 * {@code [-45, 45)} degrees. CIFAR-10-C's (radius, sigma) table {@code (6,1), (6,1.5), (6,2), (8,2), (9,2.5)} is
 * scaled by 28/32 to {@code (5,0.9), (5,1.3), (5,1.75), (7,1.75), (8,2.2)}, and sigma at severity 4 is raised to
 * 2.0, because with a sigma of 1.75 the longer trail adds weights below 1e-3 and severity 4 would be no stronger
 * than severity 3.
 */
final class MotionBlur implements ImageCorruption {

    private static final double[][] TABLE = {{5, 0.9}, {5, 1.3}, {5, 1.75}, {7, 2.0}, {8, 2.2}};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double scale = ImageCorruption.lengthScale(image);
        double angle = -45 + 90 * rng.nextDouble();
        return MotionBlurFilter.apply(image, TABLE[severity - 1][0] * scale, TABLE[severity - 1][1] * scale, angle);
    }
}
