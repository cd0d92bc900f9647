package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Snow (Hendrycks and Dietterich 2019): a layer of Gaussian noise with mean {@code loc} and deviation
 * {@code scale} is zoomed by {@code zoom}, thresholded at {@code threshold}, stored at 8 bits and motion-blurred
 * (radius, sigma) at an angle in {@code [-135, -45)} degrees; the image is brightened towards {@code 1.5 x + 0.5}
 * with weight {@code 1 - blend}, and the layer and its 180-degree rotation are added. The table is CIFAR-10-C's,
 * with the motion-blur lengths scaled by 28/32:
 * {@code (0.1,0.2,1,0.6,7,2.6,0.95), (0.1,0.2,1,0.5,8.75,3.5,0.9), (0.15,0.3,1.75,0.55,8.75,3.5,0.9),
 * (0.25,0.3,2.25,0.6,10.5,5.25,0.85), (0.3,0.3,1.25,0.65,12.25,10.5,0.8)}.
 */
final class Snow implements ImageCorruption {

    private static final double[][] TABLE = {
        {0.1, 0.2, 1, 0.6, 7, 2.625, 0.95},
        {0.1, 0.2, 1, 0.5, 8.75, 3.5, 0.9},
        {0.15, 0.3, 1.75, 0.55, 8.75, 3.5, 0.9},
        {0.25, 0.3, 2.25, 0.6, 10.5, 5.25, 0.85},
        {0.3, 0.3, 1.25, 0.65, 12.25, 10.5, 0.8}
    };

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double[] c = TABLE[severity - 1];
        double scale = ImageCorruption.lengthScale(image);
        float[] noise = new float[image.pixels.length];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (c[0] + c[1] * rng.nextGaussian());
        }
        GrayImage layer = ClippedZoom.apply(new GrayImage(image.height, image.width, noise), c[2]);
        for (int i = 0; i < layer.pixels.length; i++) {
            float v = layer.pixels[i] < c[3] ? 0f : Math.min(1f, layer.pixels[i]);
            layer.pixels[i] = (float) (Math.floor(v * 255) / 255);
        }
        double angle = -135 + 90 * rng.nextDouble();
        layer = MotionBlurFilter.apply(layer, c[4] * scale, c[5] * scale, angle);
        GrayImage rotated = layer.rotate180();
        float[] out = new float[image.pixels.length];
        for (int i = 0; i < out.length; i++) {
            double x = image.pixels[i];
            double brightened = c[6] * x + (1 - c[6]) * Math.max(x, 1.5 * x + 0.5);
            out[i] = (float) (brightened + layer.pixels[i] + rotated.pixels[i]);
        }
        return new GrayImage(image.height, image.width, out);
    }
}
