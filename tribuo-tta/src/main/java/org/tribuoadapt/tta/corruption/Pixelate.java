package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Pixelation (Hendrycks and Dietterich 2019): the image is shrunk to a smaller size and enlarged back, both times
 * with a box (area-averaging) filter. CIFAR-10-C shrinks by the factors {@code 0.95, 0.9, 0.85, 0.75, 0.65}, which
 * at 28 pixels give 26, 25, 23, 21 and 18; but 28/26 and 28/25 are close to 1 and alias into a beat pattern that
 * distorts more than the next severity. At 28x28 the intermediate sizes are therefore 27, 24, 22, 20 and 18
 * (factors 27/28, 24/28, 22/28, 20/28 and 18/28 of the side for other image sizes), which keeps the CIFAR range
 * and orders the distortion.
 */
final class Pixelate implements ImageCorruption {

    private static final double[] FACTOR = {27 / 28.0, 24 / 28.0, 22 / 28.0, 20 / 28.0, 18 / 28.0};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        int h = Math.max(1, (int) Math.round(image.height * FACTOR[severity - 1]));
        int w = Math.max(1, (int) Math.round(image.width * FACTOR[severity - 1]));
        return resize(resize(image, h, w), image.height, image.width);
    }

    /**
     * Resamples with a box filter: each output pixel is the mean of the input area it covers, partial pixels
     * weighted by their covered fraction.
     * @param image The image.
     * @param height The new height.
     * @param width The new width.
     * @return The resized image.
     */
    static GrayImage resize(GrayImage image, int height, int width) {
        double[][] rows = weights(image.height, height);
        double[][] cols = weights(image.width, width);
        float[] out = new float[height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double v = 0;
                for (int i = 0; i < image.height; i++) {
                    if (rows[y][i] == 0) {
                        continue;
                    }
                    for (int j = 0; j < image.width; j++) {
                        v += rows[y][i] * cols[x][j] * image.pixels[i * image.width + j];
                    }
                }
                out[y * width + x] = (float) v;
            }
        }
        return new GrayImage(height, width, out);
    }

    /** The share of each input pixel in each output pixel of one axis; each row sums to 1. */
    private static double[][] weights(int in, int out) {
        double scale = (double) in / out;
        double[][] w = new double[out][in];
        for (int o = 0; o < out; o++) {
            double start = o * scale;
            double end = start + scale;
            for (int i = (int) Math.floor(start); i < Math.min(in, (int) Math.ceil(end)); i++) {
                double overlap = Math.min(end, i + 1) - Math.max(start, i);
                w[o][i] = Math.max(0, overlap) / scale;
            }
        }
        return w;
    }
}
