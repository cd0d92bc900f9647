package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Shot (Poisson) noise {@code Poisson(c x) / c} (Hendrycks and Dietterich 2019); the photon count c per severity is
 * the CIFAR-10-C table {@code 500, 250, 100, 75, 50}. Counts are drawn by inversion of the Poisson distribution
 * function, which is exact and fast enough for rates up to 500.
 */
final class ShotNoise implements ImageCorruption {

    private static final double[] PHOTONS = {500, 250, 100, 75, 50};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double c = PHOTONS[severity - 1];
        float[] out = new float[image.pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (poisson(image.pixels[i] * c, rng) / c);
        }
        return new GrayImage(image.height, image.width, out);
    }

    /**
     * Draws from a Poisson distribution by sequential search of its distribution function.
     * @param rate The rate, at least 0 and at most a few hundred.
     * @param rng The random stream.
     * @return The count.
     */
    static long poisson(double rate, SplittableRandom rng) {
        if (rate <= 0) {
            return 0;
        }
        double u = rng.nextDouble();
        long k = 0;
        double p = Math.exp(-rate);
        double cumulative = p;
        // p reaches zero only far in the upper tail, where rounding may leave the sum just below u
        while (u > cumulative && p > 0) {
            k++;
            p *= rate / k;
            cumulative += p;
        }
        return k;
    }
}
