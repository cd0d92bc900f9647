package org.tribuoadapt.tta.corruption;

/**
 * The centre-crop-and-enlarge of the reference corruptions (Hendrycks and Dietterich 2019, {@code clipped_zoom}):
 * the central {@code ceil(n / factor)} pixels of each axis are enlarged by the factor with linear interpolation
 * (SciPy's {@code zoom}, which maps the first and last output pixel onto the first and last input pixel), and the
 * centre {@code n} pixels of the result are kept.
 */
final class ClippedZoom {

    private ClippedZoom() {}

    /**
     * Zooms into the centre of an image.
     * @param image The image.
     * @param factor The zoom factor, at least 1.
     * @return An image of the same size.
     */
    static GrayImage apply(GrayImage image, double factor) {
        double[] rows = axis(image.height, factor);
        double[] cols = axis(image.width, factor);
        float[] out = new float[image.pixels.length];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                out[y * image.width + x] = image.bilinear(rows[y], cols[x], BorderMode.NEAREST);
            }
        }
        return new GrayImage(image.height, image.width, out);
    }

    /**
     * The input coordinate each output pixel of one axis reads.
     * @param n The axis length.
     * @param factor The zoom factor.
     * @return n input coordinates.
     */
    private static double[] axis(int n, double factor) {
        int crop = (int) Math.ceil(n / factor);
        int top = (n - crop) / 2;
        int zoomed = (int) Math.round(crop * factor);
        int trim = (zoomed - n) / 2;
        double[] coords = new double[n];
        for (int i = 0; i < n; i++) {
            double scaled = zoomed > 1 ? (double) (i + trim) * (crop - 1) / (zoomed - 1) : 0;
            coords[i] = top + scaled;
        }
        return coords;
    }
}
