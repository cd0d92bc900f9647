package org.tribuoadapt.tta.corruption;

import java.util.SplittableRandom;

/**
 * A plasma fractal height map on a square torus by the diamond-square algorithm (Fournier, Fussell and Carpenter
 * 1982), as the fog corruption of Hendrycks and Dietterich (2019) uses: each midpoint is the mean of its four
 * neighbours plus uniform noise of half-width {@code wibble^2}, and {@code wibble} starts at 100 and is divided by
 * {@code decay} at each halving of the step. The map is scaled to {@code [0, 1]}.
 */
final class PlasmaFractal {

    private PlasmaFractal() {}

    /**
     * Generates a height map.
     * @param size The side length, a power of two.
     * @param decay The roughness decay; larger values give smoother maps.
     * @param rng The random stream.
     * @return {@code size * size} values in {@code [0, 1]}, row-major.
     */
    static double[] generate(int size, double decay, SplittableRandom rng) {
        if (size < 2 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("a plasma fractal needs a power-of-two size, found " + size);
        }
        double[] map = new double[size * size];
        double wibble = 100;
        for (int step = size; step >= 2; step /= 2) {
            int half = step / 2;
            for (int y = half; y < size; y += step) {
                for (int x = half; x < size; x += step) {
                    double mean = (get(map, size, y - half, x - half) + get(map, size, y - half, x + half)
                            + get(map, size, y + half, x - half) + get(map, size, y + half, x + half)) / 4;
                    map[y * size + x] = mean + noise(wibble, rng);
                }
            }
            for (int y = 0; y < size; y += half) {
                for (int x = (y / half) % 2 == 0 ? half : 0; x < size; x += step) {
                    double mean = (get(map, size, y - half, x) + get(map, size, y + half, x)
                            + get(map, size, y, x - half) + get(map, size, y, x + half)) / 4;
                    map[y * size + x] = mean + noise(wibble, rng);
                }
            }
            wibble /= decay;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : map) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        for (int i = 0; i < map.length; i++) {
            map[i] = max > min ? (map[i] - min) / (max - min) : 0;
        }
        return map;
    }

    private static double get(double[] map, int size, int y, int x) {
        return map[Math.floorMod(y, size) * size + Math.floorMod(x, size)];
    }

    private static double noise(double wibble, SplittableRandom rng) {
        return wibble * (2 * rng.nextDouble() - 1) * wibble;
    }

    /**
     * The smallest power of two that is at least {@code n}.
     * @param n A positive length.
     * @return The power of two.
     */
    static int sizeFor(int n) {
        int size = 2;
        while (size < n) {
            size *= 2;
        }
        return size;
    }
}
