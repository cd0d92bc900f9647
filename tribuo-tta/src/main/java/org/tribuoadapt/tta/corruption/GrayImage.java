package org.tribuoadapt.tta.corruption;

/**
 * A grayscale image of {@code height x width} pixels in row-major order, with the resampling and filtering that
 * the corruptions share. Operations return new images; an image's pixel array is never changed after it is
 * handed to another operation.
 */
final class GrayImage {

    final int height;
    final int width;
    final float[] pixels;

    /**
     * Wraps pixels.
     * @param height The height.
     * @param width The width.
     * @param pixels {@code height * width} values in row-major order; not copied.
     */
    GrayImage(int height, int width, float[] pixels) {
        if (pixels.length != height * width) {
            throw new IllegalArgumentException("a " + height + "x" + width + " image needs " + height * width
                    + " pixels, found " + pixels.length);
        }
        this.height = height;
        this.width = width;
        this.pixels = pixels;
    }

    /**
     * A black image.
     * @param height The height.
     * @param width The width.
     * @return The image.
     */
    static GrayImage zeros(int height, int width) {
        return new GrayImage(height, width, new float[height * width]);
    }

    /**
     * The pixel at a row and column, with out-of-range positions resolved by {@code border}.
     * @param y The row.
     * @param x The column.
     * @param border The border rule.
     * @return The value.
     */
    float at(int y, int x, BorderMode border) {
        return pixels[border.index(y, height) * width + border.index(x, width)];
    }

    /**
     * Bilinear interpolation at a fractional position.
     * @param y The row coordinate.
     * @param x The column coordinate.
     * @param border The border rule for the neighbours outside the image.
     * @return The interpolated value.
     */
    float bilinear(double y, double x, BorderMode border) {
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double fy = y - y0;
        double fx = x - x0;
        double top = at(y0, x0, border) * (1 - fx) + at(y0, x0 + 1, border) * fx;
        double bottom = at(y0 + 1, x0, border) * (1 - fx) + at(y0 + 1, x0 + 1, border) * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }

    /**
     * Correlates the image with a kernel centred on each pixel (OpenCV's {@code filter2D}).
     * @param kernel The kernel, {@code kh x kw} in row-major order, both sizes odd.
     * @param kh The kernel height.
     * @param kw The kernel width.
     * @param border The border rule.
     * @return The filtered image.
     */
    GrayImage filter(double[] kernel, int kh, int kw, BorderMode border) {
        int cy = kh / 2;
        int cx = kw / 2;
        float[] out = new float[pixels.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double sum = 0;
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        double k = kernel[i * kw + j];
                        if (k != 0) {
                            sum += k * at(y + i - cy, x + j - cx, border);
                        }
                    }
                }
                out[y * width + x] = (float) sum;
            }
        }
        return new GrayImage(height, width, out);
    }

    /**
     * Gaussian smoothing as SciPy's {@code gaussian_filter}: a separable kernel of radius
     * {@code (int) (truncate * sigma + 0.5)}. A sigma of zero returns a copy.
     * @param sigma The standard deviation in pixels.
     * @param truncate The kernel half-width in standard deviations.
     * @param border The border rule.
     * @return The smoothed image.
     */
    GrayImage gaussianBlur(double sigma, double truncate, BorderMode border) {
        if (sigma <= 0) {
            return copy();
        }
        int radius = (int) (truncate * sigma + 0.5);
        double[] kernel = gaussianKernel(sigma, radius);
        GrayImage rows = filter(kernel, 1, kernel.length, border);
        return rows.filter(kernel, kernel.length, 1, border);
    }

    /**
     * A normalised one-dimensional Gaussian kernel of {@code 2 * radius + 1} taps.
     * @param sigma The standard deviation.
     * @param radius The half-width.
     * @return The kernel.
     */
    static double[] gaussianKernel(double sigma, int radius) {
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= sum;
        }
        return kernel;
    }

    /**
     * A copy of this image.
     * @return The copy.
     */
    GrayImage copy() {
        return new GrayImage(height, width, pixels.clone());
    }

    /**
     * Clips every pixel to {@code [0, 1]}, in place.
     * @return This image.
     */
    GrayImage clip() {
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = Math.min(1f, Math.max(0f, pixels[i]));
        }
        return this;
    }

    /**
     * The mean pixel value.
     * @return The mean.
     */
    double mean() {
        double sum = 0;
        for (float p : pixels) {
            sum += p;
        }
        return sum / pixels.length;
    }

    /**
     * The largest pixel value.
     * @return The maximum.
     */
    float max() {
        float max = Float.NEGATIVE_INFINITY;
        for (float p : pixels) {
            max = Math.max(max, p);
        }
        return max;
    }

    /**
     * The image rotated by 180 degrees.
     * @return The rotated image.
     */
    GrayImage rotate180() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[pixels.length - 1 - i] = pixels[i];
        }
        return new GrayImage(height, width, out);
    }
}
