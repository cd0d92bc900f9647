package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Elastic transform (Hendrycks and Dietterich 2019, after Simard et al. 2003): a random affine warp that moves
 * three points around the centre by up to {@code affine} pixels (edges mirrored without repeating the edge pixel),
 * then a displacement field of uniform noise smoothed by a Gaussian of deviation {@code sigma} (truncated at 3
 * deviations) and scaled by {@code alpha}, resampled bilinearly with mirrored edges. Entries are fractions of
 * the image size.
 * <p>
 * CIFAR-10-C's table {@code (alpha, sigma, affine) = 32 x (0, 0, 0.08), (0.05, 0.2, 0.07), (0.08, 0.06, 0.06),
 * (0.1, 0.04, 0.05), (0.1, 0.03, 0.03)} shrinks the affine jitter as the severity grows while its elastic field
 * stays below half a pixel, so its distortion falls with severity. At 28x28 the field grows and the jitter stays
 * small: {@code 28 x (0.1, 0.05, 0.01), (0.2, 0.05, 0.015), (0.3, 0.05, 0.02), (0.4, 0.05, 0.025),
 * (0.5, 0.05, 0.03)}, i.e. a field smoothed over 1.4 pixels with displacements of about 0.3 to 1.6 pixels.
 */
final class ElasticTransform implements ImageCorruption {

    private static final double[][] FRACTIONS = {
        {0.1, 0.05, 0.01}, {0.2, 0.05, 0.015}, {0.3, 0.05, 0.02}, {0.4, 0.05, 0.025}, {0.5, 0.05, 0.03}
    };

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        int size = Math.min(image.height, image.width);
        double alpha = size * FRACTIONS[severity - 1][0];
        double sigma = size * FRACTIONS[severity - 1][1];
        double affine = size * FRACTIONS[severity - 1][2];
        GrayImage warped = randomAffine(image, affine, rng);
        GrayImage dx = displacement(image.height, image.width, sigma, alpha, rng);
        GrayImage dy = displacement(image.height, image.width, sigma, alpha, rng);
        float[] out = new float[image.pixels.length];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                int i = y * image.width + x;
                out[i] = warped.bilinear(y + dy.pixels[i], x + dx.pixels[i], BorderMode.REFLECT);
            }
        }
        return new GrayImage(image.height, image.width, out);
    }

    private static GrayImage displacement(int height, int width, double sigma, double alpha, SplittableRandom rng) {
        float[] noise = new float[height * width];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (2 * rng.nextDouble() - 1);
        }
        GrayImage field = new GrayImage(height, width, noise).gaussianBlur(sigma, 3.0, BorderMode.REFLECT);
        for (int i = 0; i < field.pixels.length; i++) {
            field.pixels[i] *= (float) alpha;
        }
        return field;
    }

    /**
     * Warps the image by the affine map that moves three points around the centre by uniform offsets of up to
     * {@code reach} pixels; each output pixel reads the input at the inverse map.
     */
    private static GrayImage randomAffine(GrayImage image, double reach, SplittableRandom rng) {
        double cx = image.width / 2;
        double cy = image.height / 2;
        double square = Math.min(image.height, image.width) / 3;
        double[][] from = {{cx + square, cy + square}, {cx + square, cy - square}, {cx - square, cy - square}};
        double[][] to = new double[3][2];
        for (int p = 0; p < 3; p++) {
            for (int k = 0; k < 2; k++) {
                to[p][k] = from[p][k] - reach + 2 * reach * rng.nextDouble();
            }
        }
        // the inverse map sends each destination point back to its source point
        double[] inverse = affineThrough(to, from);
        float[] out = new float[image.pixels.length];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                double sx = inverse[0] * x + inverse[1] * y + inverse[2];
                double sy = inverse[3] * x + inverse[4] * y + inverse[5];
                out[y * image.width + x] = image.bilinear(sy, sx, BorderMode.REFLECT_101);
            }
        }
        return new GrayImage(image.height, image.width, out);
    }

    /**
     * The affine map {@code (x, y) -> (a x + b y + c, d x + e y + f)} that sends three points onto three others.
     * @param from Three (x, y) points, not collinear.
     * @param to Their images.
     * @return {a, b, c, d, e, f}.
     */
    static double[] affineThrough(double[][] from, double[][] to) {
        double det = from[0][0] * (from[1][1] - from[2][1]) - from[0][1] * (from[1][0] - from[2][0])
                + (from[1][0] * from[2][1] - from[2][0] * from[1][1]);
        double[] out = new double[6];
        for (int k = 0; k < 2; k++) {
            double t0 = to[0][k];
            double t1 = to[1][k];
            double t2 = to[2][k];
            // Cramer's rule on [x y 1] [a b c]^T = t
            double a = (t0 * (from[1][1] - from[2][1]) - from[0][1] * (t1 - t2) + (t1 * from[2][1] - t2 * from[1][1])) / det;
            double b = (from[0][0] * (t1 - t2) - t0 * (from[1][0] - from[2][0]) + (from[1][0] * t2 - from[2][0] * t1)) / det;
            double c = (from[0][0] * (from[1][1] * t2 - from[2][1] * t1) - from[0][1] * (from[1][0] * t2 - from[2][0] * t1)
                    + t0 * (from[1][0] * from[2][1] - from[2][0] * from[1][1])) / det;
            out[3 * k] = a;
            out[3 * k + 1] = b;
            out[3 * k + 2] = c;
        }
        return out;
    }
}
