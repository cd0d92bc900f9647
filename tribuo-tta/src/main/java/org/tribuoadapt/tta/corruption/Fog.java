package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Fog (Hendrycks and Dietterich 2019): {@code (x + s F) max(x) / (max(x) + s)} where F is a {@link PlasmaFractal}
 * with roughness decay d, cropped to the image. CIFAR-10-C's (s, d) table
 * {@code (0.2,3), (0.5,3), (0.75,2.5), (1,2), (1.5,1.75)} is kept: it is photometric, and the fractal is generated
 * at the smallest power-of-two size that covers the image (32 for 28x28).
 */
final class Fog implements ImageCorruption {

    private static final double[][] TABLE = {{0.2, 3}, {0.5, 3}, {0.75, 2.5}, {1, 2}, {1.5, 1.75}};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double strength = TABLE[severity - 1][0];
        int size = PlasmaFractal.sizeFor(Math.max(image.height, image.width));
        double[] fog = PlasmaFractal.generate(size, TABLE[severity - 1][1], rng);
        double max = image.max();
        float[] out = new float[image.pixels.length];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                int i = y * image.width + x;
                out[i] = (float) ((image.pixels[i] + strength * fog[y * size + x]) * max / (max + strength));
            }
        }
        return new GrayImage(image.height, image.width, out);
    }
}
