package org.tribuoadapt.robust.attack.square;

import java.util.SplittableRandom;

/**
 * The geometry of the L2 Square attack (Andriushchenko, Croce, Flammarion and Hein 2020, section 3.2 and
 * Algorithm 3): the centred "pseudo-Gaussian" square of the initialisation and of every update, the initial grid of
 * such squares, and the window update that moves the perturbation's mass from a second window into a redrawn one
 * while the total L2 norm stays at epsilon. Perturbations are one example's {@code [channels, height, width]} values.
 */
final class SquareL2 {

    private final int channels;
    private final int height;
    private final int width;

    /**
     * Creates the geometry for one image shape.
     * @param channels Image channels.
     * @param height Image height.
     * @param width Image width.
     */
    SquareL2(int channels, int height, int width) {
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /**
     * The update square {@code eta} of side {@code s} (section 3.2): its top half holds nested rectangles whose
     * weights fall as {@code 1 / (k + 1)^2} from the centre outwards, its bottom half the same with the opposite sign,
     * each half and then the whole square normalised to unit L2 norm; with probability 1/2 it is transposed so that
     * the halves lie side by side.
     * @param s The side.
     * @param transpose Whether to transpose.
     * @return {@code s * s} values, row-major.
     */
    static double[] eta(int s, boolean transpose) {
        double[] square = new double[s * s];
        int top = s / 2;
        addRectangle(square, 0, top, s, 1.0);
        addRectangle(square, top, s - top, s, -1.0);
        scaleToUnit(square);
        if (!transpose) {
            return square;
        }
        double[] transposed = new double[s * s];
        for (int r = 0; r < s; r++) {
            for (int c = 0; c < s; c++) {
                transposed[c * s + r] = square[r * s + c];
            }
        }
        return transposed;
    }

    /** Writes a unit-norm block of nested rectangles, rows {@code [firstRow, firstRow + rows)}, times the sign. */
    private static void addRectangle(double[] square, int firstRow, int rows, int columns, double sign) {
        if (rows == 0) {
            return;
        }
        double[] block = new double[rows * columns];
        int centreRow = rows / 2;
        int centreColumn = columns / 2;
        for (int ring = 0; ring <= Math.max(centreRow, centreColumn); ring++) {
            double weight = 1.0 / ((ring + 1.0) * (ring + 1.0));
            for (int r = Math.max(0, centreRow - ring); r < Math.min(rows, centreRow + ring + 1); r++) {
                for (int c = Math.max(0, centreColumn - ring); c < Math.min(columns, centreColumn + ring + 1); c++) {
                    block[r * columns + c] += weight;
                }
            }
        }
        scaleToUnit(block);
        for (int i = 0; i < block.length; i++) {
            square[firstRow * columns + i] = sign * block[i];
        }
    }

    private static void scaleToUnit(double[] values) {
        double norm = 0;
        for (double v : values) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < values.length; i++) {
                values[i] /= norm;
            }
        }
    }

    /**
     * The initial perturbation (the reference implementation's L2 start): a grid of {@code eta} squares of side
     * {@code max(1, height / 5)}, centred in the image, each with a random sign per channel, scaled to L2 norm
     * epsilon and clipped to [0, 1].
     * @param clean The clean values of all examples.
     * @param target Where the starting point is written.
     * @param offset Where this example's values start in both arrays.
     * @param epsilon The budget.
     * @param rng The random stream.
     */
    void initialise(float[] clean, float[] target, int offset, double epsilon, SplittableRandom rng) {
        int size = channels * height * width;
        double[] delta = new double[size];
        int s = Math.max(1, height / 5);
        int firstRow = Math.max(0, (height - 5 * s) / 2);
        int firstColumn = Math.max(0, (width - 5 * s) / 2);
        for (int top = firstRow; top < height; top += s) {
            for (int left = firstColumn; left < width; left += s) {
                double[] square = eta(s, rng.nextBoolean());
                for (int c = 0; c < channels; c++) {
                    addWindow(delta, square, c, top, left, s, rng.nextBoolean() ? 1.0 : -1.0);
                }
            }
        }
        writePoint(clean, offset, delta, target, offset, epsilon);
    }

    /**
     * One candidate of the L2 update (Algorithm 3): a window of side {@code s} gets a fresh {@code eta} square with a
     * random sign per channel added to its current normalised content, a second window of the same side is emptied,
     * and the new window's content is rescaled per channel so that it holds the mass of both windows plus the budget
     * the perturbation has not used; the result is scaled to L2 norm epsilon and clipped to [0, 1].
     * @param clean The clean values of all examples.
     * @param current The current points of all examples.
     * @param from Where this example starts in {@code clean} and {@code current}.
     * @param target Where the candidate is written.
     * @param to Where it starts in {@code target}.
     * @param side The window side s.
     * @param epsilon The budget.
     * @param rng The random stream.
     */
    void propose(float[] clean, float[] current, int from, float[] target, int to, int side, double epsilon,
                 SplittableRandom rng) {
        int size = channels * height * width;
        double[] delta = new double[size];
        for (int i = 0; i < size; i++) {
            delta[i] = current[from + i] - clean[from + i];
        }
        int top = rng.nextInt(height - side + 1);
        int left = rng.nextInt(width - side + 1);
        int top2 = rng.nextInt(height - side + 1);
        int left2 = rng.nextInt(width - side + 1);
        double imageSquared = 0;
        double windowsSquared = 0;
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < height; r++) {
                for (int col = 0; col < width; col++) {
                    double v = delta[index(c, r, col)];
                    imageSquared += v * v;
                    if (inside(r, col, top, left, side) || inside(r, col, top2, left2, side)) {
                        windowsSquared += v * v;
                    }
                }
            }
        }
        double windowNorm = Math.sqrt(Math.max(epsilon * epsilon - imageSquared, 0) / channels + windowsSquared);
        double[] square = eta(side, rng.nextBoolean());
        double[][] fresh = new double[channels][side * side];
        for (int c = 0; c < channels; c++) {
            double sign = rng.nextBoolean() ? 1.0 : -1.0;
            double oldNorm = 0;
            for (int r = 0; r < side; r++) {
                for (int col = 0; col < side; col++) {
                    double v = delta[index(c, top + r, left + col)];
                    oldNorm += v * v;
                }
            }
            oldNorm = Math.sqrt(oldNorm) + 1e-12;
            for (int r = 0; r < side; r++) {
                for (int col = 0; col < side; col++) {
                    fresh[c][r * side + col] = sign * square[r * side + col]
                            + delta[index(c, top + r, left + col)] / oldNorm;
                }
            }
            scaleToUnit(fresh[c]);
        }
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < side; r++) {
                for (int col = 0; col < side; col++) {
                    delta[index(c, top2 + r, left2 + col)] = 0;
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < side; r++) {
                for (int col = 0; col < side; col++) {
                    delta[index(c, top + r, left + col)] = windowNorm * fresh[c][r * side + col];
                }
            }
        }
        writePoint(clean, from, delta, target, to, epsilon);
    }

    private void addWindow(double[] delta, double[] square, int channel, int top, int left, int s, double sign) {
        for (int r = 0; r < s && top + r < height; r++) {
            for (int col = 0; col < s && left + col < width; col++) {
                delta[index(channel, top + r, left + col)] += sign * square[r * s + col];
            }
        }
    }

    /** Writes {@code clip(clean + epsilon * delta / ||delta||_2, 0, 1)} at {@code to} in the target. */
    private static void writePoint(float[] clean, int from, double[] delta, float[] target, int to, double epsilon) {
        double norm = 0;
        for (double v : delta) {
            norm += v * v;
        }
        double scale = epsilon / (Math.sqrt(norm) + 1e-12);
        for (int i = 0; i < delta.length; i++) {
            double value = clean[from + i] + scale * delta[i];
            target[to + i] = (float) Math.min(1.0, Math.max(0.0, value));
        }
    }

    private static boolean inside(int r, int col, int top, int left, int side) {
        return r >= top && r < top + side && col >= left && col < left + side;
    }

    private int index(int channel, int row, int col) {
        return (channel * height + row) * width + col;
    }
}
