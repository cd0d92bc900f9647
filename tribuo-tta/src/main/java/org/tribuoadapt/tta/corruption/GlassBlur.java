package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * Glass blur (Hendrycks and Dietterich 2019): Gaussian smoothing, then passes that swap every interior pixel with a
 * random neighbour at most {@code delta} away, then smoothing again. As in the reference, offsets are drawn from
 * {@code [-delta, delta - 1]} and the pixels are visited from the bottom-right corner, so a pixel can be carried
 * several steps towards the top-left.
 * <p>
 * CIFAR-10-C's (sigma, delta, passes) table {@code (0.05,1,1), (0.25,1,1), (0.4,1,1), (0.25,1,2), (0.4,1,2)} is
 * not ordered by distortion: the shuffling dominates, and a larger sigma smooths it away, so severity 3 distorts
 * less than severity 2 and severity 5 less than 4 (the PSNR to the clean image rises). At 28x28 the table is
 * {@code (0.6,1,1), (0.5,1,1), (0.4,1,1), (0.4,1,2), (0.4,1,3)}: one-pixel offsets as in the reference, less
 * smoothing and then more passes as the severity grows, which orders the distortion.
 */
final class GlassBlur implements ImageCorruption {

    private static final double[] SIGMA = {0.6, 0.5, 0.4, 0.4, 0.4};
    private static final int[] DELTA = {1, 1, 1, 1, 1};
    private static final int[] PASSES = {1, 1, 1, 2, 3};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        double sigma = SIGMA[severity - 1];
        int delta = DELTA[severity - 1];
        GrayImage x = image.gaussianBlur(sigma, 4.0, BorderMode.NEAREST);
        float[] p = x.pixels;
        int w = x.width;
        for (int pass = 0; pass < PASSES[severity - 1]; pass++) {
            for (int row = x.height - delta; row > delta; row--) {
                for (int col = w - delta; col > delta; col--) {
                    int dx = rng.nextInt(-delta, delta);
                    int dy = rng.nextInt(-delta, delta);
                    int a = row * w + col;
                    int b = (row + dy) * w + col + dx;
                    float tmp = p[a];
                    p[a] = p[b];
                    p[b] = tmp;
                }
            }
        }
        return x.gaussianBlur(sigma, 4.0, BorderMode.NEAREST);
    }
}
