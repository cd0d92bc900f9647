package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Defocus blur (Hendrycks and Dietterich 2019): the image is filtered with an aliased disk of radius r, itself
 * smoothed by a 3x3 Gaussian of standard deviation s. The (r, s) table is CIFAR-10-C's
 * {@code (0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1, 0.2), (1.5, 0.1)}, kept unscaled at 28x28: the radii are already
 * at the pixel grid's resolution, and scaling them by 28/32 would make severities 4 and 5 the same disk.
 */
final class DefocusBlur implements ImageCorruption {

    private static final double[][] TABLE = {{0.3, 0.4}, {0.4, 0.5}, {0.5, 0.6}, {1, 0.2}, {1.5, 0.1}};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double radius = TABLE[severity - 1][0] * Math.max(1.0, ImageCorruption.lengthScale(image));
        double[] kernel = kernel(radius, TABLE[severity - 1][1]);
        int size = (int) Math.round(Math.sqrt(kernel.length));
        return image.filter(kernel, size, size, BorderMode.REFLECT_101);
    }

    /**
     * The disk of radius {@code radius} (pixels whose centre lies within it), normalised, then correlated with a
     * 3x3 Gaussian of standard deviation {@code aliasSigma} to soften its edge.
     * @param radius The disk radius.
     * @param aliasSigma The smoothing.
     * @return A square kernel in row-major order.
     */
    static double[] kernel(double radius, double aliasSigma) {
        int reach = (int) Math.floor(radius);
        int diskSize = 2 * reach + 1;
        double[] disk = new double[diskSize * diskSize];
        double sum = 0;
        for (int y = -reach; y <= reach; y++) {
            for (int x = -reach; x <= reach; x++) {
                if (x * x + y * y <= radius * radius) {
                    disk[(y + reach) * diskSize + x + reach] = 1;
                    sum++;
                }
            }
        }
        double[] g = GrayImage.gaussianKernel(aliasSigma, 1);
        int size = diskSize + 2;
        double[] out = new double[size * size];
        for (int y = 0; y < diskSize; y++) {
            for (int x = 0; x < diskSize; x++) {
                double d = disk[y * diskSize + x] / sum;
                if (d == 0) {
                    continue;
                }
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        out[(y + i) * size + x + j] += d * g[i] * g[j];
                    }
                }
            }
        }
        return out;
    }
}
