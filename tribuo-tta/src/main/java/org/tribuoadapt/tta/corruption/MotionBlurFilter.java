package org.tribuoadapt.tta.corruption;

/**
 * ImageMagick's motion blur, which the reference corruptions of Hendrycks and Dietterich (2019) call: a one-sided
 * trail of {@code 2 ceil(radius) + 1} taps along the direction {@code angle}, weighted by a Gaussian of standard
 * deviation {@code sigma} in the distance from the pixel, with the image's edge pixels repeated outside it.
 */
final class MotionBlurFilter {

    private MotionBlurFilter() {}

    /**
     * Blurs an image along a direction.
     * @param image The image.
     * @param radius The trail radius in pixels.
     * @param sigma The trail's Gaussian falloff in pixels.
     * @param angleDegrees The direction, 0 pointing along increasing columns, 90 along increasing rows.
     * @return The blurred image.
     */
    static GrayImage apply(GrayImage image, double radius, double sigma, double angleDegrees) {
        int taps = 2 * (int) Math.ceil(radius) + 1;
        double[] weight = new double[taps];
        int[] dx = new int[taps];
        int[] dy = new int[taps];
        double sum = 0;
        double angle = Math.toRadians(angleDegrees);
        for (int i = 0; i < taps; i++) {
            weight[i] = Math.exp(-(double) i * i / (2 * sigma * sigma));
            sum += weight[i];
            dx[i] = (int) Math.round(i * Math.cos(angle));
            dy[i] = (int) Math.round(i * Math.sin(angle));
        }
        float[] out = new float[image.pixels.length];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                double v = 0;
                for (int i = 0; i < taps; i++) {
                    v += weight[i] * image.at(y + dy[i], x + dx[i], BorderMode.NEAREST);
                }
                out[y * image.width + x] = (float) (v / sum);
            }
        }
        return new GrayImage(image.height, image.width, out);
    }
}
