package org.tribuoadapt.tta.method;

/**
 * The softmax of each row of a row-major matrix, computed stably (the row maximum is subtracted first); LAME and
 * T3A turn their scores into probabilities with it.
 */
public final class RowSoftmax {

    private RowSoftmax() {}

    /**
     * Applies the softmax to each row.
     * @param x {@code rows * columns} scores.
     * @param rows The number of rows.
     * @param columns The number of columns.
     * @return The probabilities, each row summing to 1.
     */
    public static double[] apply(double[] x, int rows, int columns) {
        double[] out = new double[x.length];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < columns; c++) {
                max = Math.max(max, x[i * columns + c]);
            }
            double sum = 0;
            for (int c = 0; c < columns; c++) {
                out[i * columns + c] = Math.exp(x[i * columns + c] - max);
                sum += out[i * columns + c];
            }
            for (int c = 0; c < columns; c++) {
                out[i * columns + c] /= sum;
            }
        }
        return out;
    }
}
