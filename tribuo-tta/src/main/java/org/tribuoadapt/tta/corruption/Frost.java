package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Frost (Hendrycks and Dietterich 2019): {@code a x + b F}, where F is a random crop of one of the first five
 * frost textures. The reference crops photographs of frost; here the textures are procedural
 * ({@link FrostTexture}). CIFAR-10-C's (a, b) table is {@code (1, 0.2), (1, 0.3), (0.9, 0.4), (0.85, 0.4),
 * (0.75, 0.45)}; on dark Fashion-MNIST-like images, lowering a with b fixed moves the result towards the clean
 * image, so severity 4 would distort less than severity 3. At 28x28 the frost weight keeps growing:
 * {@code (1, 0.2), (1, 0.3), (0.9, 0.4), (0.85, 0.45), (0.75, 0.5)}.
 */
final class Frost implements ImageCorruption {

    private static final double[][] TABLE = {{1, 0.2}, {1, 0.3}, {0.9, 0.4}, {0.85, 0.45}, {0.75, 0.5}};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        if (image.height > FrostTexture.SIZE || image.width > FrostTexture.SIZE) {
            throw new IllegalArgumentException("the frost corruption supports images up to " + FrostTexture.SIZE
                    + "x" + FrostTexture.SIZE + " pixels, found " + image.height + "x" + image.width);
        }
        GrayImage frost = FrostTexture.texture(rng.nextInt(FrostTexture.COUNT));
        int top = rng.nextInt(FrostTexture.SIZE - image.height + 1);
        int left = rng.nextInt(FrostTexture.SIZE - image.width + 1);
        double a = TABLE[severity - 1][0];
        double b = TABLE[severity - 1][1];
        float[] out = new float[image.pixels.length];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                out[y * image.width + x] = (float) (a * image.pixels[y * image.width + x]
                        + b * frost.pixels[(top + y) * FrostTexture.SIZE + left + x]);
            }
        }
        return new GrayImage(image.height, image.width, out);
    }
}
