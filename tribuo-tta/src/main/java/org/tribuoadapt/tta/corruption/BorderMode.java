package org.tribuoadapt.tta.corruption;

/**
 * How a filter or a resampler reads pixels that lie outside the image. The names follow the libraries the
 * reference corruption code of Hendrycks and Dietterich (2019) uses: OpenCV's default {@code BORDER_REFLECT_101},
 * SciPy's {@code reflect} and {@code nearest}.
 */
enum BorderMode {
    /** Mirror about the edge pixel, which is not repeated: {@code 2 1 | 0 1 2 ... n-1 | n-2 n-3}. */
    REFLECT_101,
    /** Mirror about the edge, repeating the edge pixel: {@code 1 0 | 0 1 ... n-1 | n-1 n-2}. */
    REFLECT,
    /** Repeat the edge pixel: {@code 0 0 | 0 1 ... n-1 | n-1 n-1}. */
    NEAREST;

    /**
     * Maps an index that may lie outside {@code [0, n)} onto a pixel index.
     * @param i The index.
     * @param n The length of the axis.
     * @return An index in {@code [0, n)}.
     */
    int index(int i, int n) {
        if (i >= 0 && i < n) {
            return i;
        }
        switch (this) {
            case NEAREST:
                return i < 0 ? 0 : n - 1;
            case REFLECT: {
                int period = 2 * n;
                int m = Math.floorMod(i, period);
                return m < n ? m : period - 1 - m;
            }
            case REFLECT_101: {
                if (n == 1) {
                    return 0;
                }
                int period = 2 * n - 2;
                int m = Math.floorMod(i, period);
                return m < n ? m : period - m;
            }
            default:
                throw new IllegalStateException("unknown border mode " + this);
        }
    }
}
