package org.tribuoadapt.tta.da.paretoda;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The min-norm and guided direction searches on hand-computed cases, their first-order descent property on random
 * gradients, optimality against a fine grid over the simplex, and bad input.
 */
public class ParetoDirectionTest {

    private static final double EPS = 1e-9;

    private static double[][] gram(double[]... g) {
        double[][] out = new double[g.length][g.length];
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < g.length; j++) {
                out[i][j] = dot(g[i], g[j]);
            }
        }
        return out;
    }

    private static double[] guide(double[] val, double[]... g) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = dot(g[i], val);
        }
        return out;
    }

    private static double dot(double[] x, double[] y) {
        double out = 0;
        for (int i = 0; i < x.length; i++) {
            out += x[i] * y[i];
        }
        return out;
    }

    private static double squaredNorm(double[][] gram, double[] alpha) {
        return dot(alpha, ParetoDirection.directionalProducts(gram, alpha));
    }

    @Test
    public void twoOrthogonalUnitGradientsGetEqualWeights() {
        assertArrayEquals(new double[] {0.5, 0.5},
                ParetoDirection.minNorm(gram(new double[] {1, 0}, new double[] {0, 1})), EPS);
    }

    @Test
    public void twoGradientsFollowTheClosedForm() {
        // the weight on g1 is clamp((g2 - g1) . g2 / |g1 - g2|^2, 0, 1)
        double[] g1 = {2, 0};
        double[] g2 = {0, 1};
        // ((-2, 1) . (0, 1)) / 5 = 0.2; d = (0.4, 0.8), |d|^2 = 0.8, equal products with both gradients
        double[][] gram = gram(g1, g2);
        double[] alpha = ParetoDirection.minNorm(gram);
        assertArrayEquals(new double[] {0.2, 0.8}, alpha, EPS);
        assertEquals(0.8, squaredNorm(gram, alpha), EPS);
        assertArrayEquals(new double[] {0.8, 0.8}, ParetoDirection.directionalProducts(gram, alpha), EPS);
        // (2, 0) . (3, 0) / 4 = 1.5 is clamped to 1: the shorter gradient alone
        assertArrayEquals(new double[] {1, 0},
                ParetoDirection.minNorm(gram(new double[] {1, 0}, new double[] {3, 0})), EPS);
    }

    @Test
    public void threeGradientsHandComputed() {
        // orthonormal: the centroid
        double[] third = {1.0 / 3, 1.0 / 3, 1.0 / 3};
        assertArrayEquals(third, ParetoDirection.minNorm(gram(new double[] {1, 0, 0}, new double[] {0, 1, 0},
                new double[] {0, 0, 1})), EPS);
        // the min-norm point lies on the edge g1 g2; g3 = g1 + g2 gets no weight
        assertArrayEquals(new double[] {0.5, 0.5, 0}, ParetoDirection.minNorm(gram(new double[] {1, 0},
                new double[] {0, 1}, new double[] {1, 1})), EPS);
        // 0 is in the hull: 0.25 (2, 0) + 0.25 (0, 2) + 0.5 (-1, -1) = 0
        double[][] gram = gram(new double[] {2, 0}, new double[] {0, 2}, new double[] {-1, -1});
        double[] alpha = ParetoDirection.minNorm(gram);
        assertArrayEquals(new double[] {0.25, 0.25, 0.5}, alpha, EPS);
        assertEquals(0, squaredNorm(gram, alpha), EPS);
    }

    @Test
    public void guidedPicksTheCommonDescentDirectionClosestToTheHeldOutGradient() {
        double[] g1 = {1, 0};
        double[] g2 = {-1, 1};
        // G alpha >= 0 with alpha1 + alpha2 = 1 means alpha1 in [1/2, 2/3]
        double[][] gram = gram(g1, g2);
        // guided by (1, 0): maximise alpha1 - alpha2, so alpha1 = 2/3 and d = (1/3, 1/3) is orthogonal to g2
        double[] alpha = ParetoDirection.guided(gram, guide(new double[] {1, 0}, g1, g2));
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3}, alpha, EPS);
        assertArrayEquals(new double[] {1.0 / 3, 0}, ParetoDirection.directionalProducts(gram, alpha), EPS);
        // guided by (0, 1): maximise alpha2 within the descent cone, so alpha = (1/2, 1/2) and d = (0, 1/2)
        assertArrayEquals(new double[] {0.5, 0.5},
                ParetoDirection.guided(gram, guide(new double[] {0, 1}, g1, g2)), EPS);
        // without conflict the whole simplex is allowed: the guide's best vertex
        double[][] free = gram(new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1});
        assertArrayEquals(new double[] {1, 0, 0}, ParetoDirection.guided(free,
                guide(new double[] {1, -1}, new double[] {1, 0}, new double[] {0, 1}, new double[] {1, 1})), EPS);
    }

    @Test
    public void whenTheGradientsCancelOnlyTheMinNormWeightsDescend() {
        double[][] g = {{1, 0}, {0, 1}, {-1, -1}};
        double[][] gram = gram(g);
        double[] third = {1.0 / 3, 1.0 / 3, 1.0 / 3};
        assertArrayEquals(third, ParetoDirection.minNorm(gram), EPS);
        assertArrayEquals(third, ParetoDirection.guided(gram, guide(new double[] {5, -2}, g)), EPS);
    }

    @Test
    public void directionsNeverIncreaseAnObjectiveToFirstOrderAndAreOptimal() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            int m = 2 + trial % 2;
            int dim = 1 + trial % 4;
            double[][] g = new double[m][dim];
            double[] val = new double[dim];
            for (int d = 0; d < dim; d++) {
                for (int i = 0; i < m; i++) {
                    g[i][d] = rng.nextDouble(-1, 1);
                }
                val[d] = rng.nextDouble(-1, 1);
            }
            double[][] gram = gram(g);
            double[] a = guide(val, g);
            double[] minNorm = ParetoDirection.minNorm(gram);
            double[] guided = ParetoDirection.guided(gram, a);
            double norm = squaredNorm(gram, minNorm);
            double[] minNormProducts = ParetoDirection.directionalProducts(gram, minNorm);
            double[] guidedProducts = ParetoDirection.directionalProducts(gram, guided);
            for (int j = 0; j < m; j++) {
                assertTrue(minNormProducts[j] >= norm - EPS, "min-norm d . g_" + j + " < |d|^2 in trial " + trial);
                assertTrue(guidedProducts[j] >= -EPS, "guided d . g_" + j + " < 0 in trial " + trial);
            }
            assertSimplex(minNorm);
            assertSimplex(guided);
            // the min-norm weights are feasible for the guided programme, so the guided value is at least theirs
            assertTrue(dot(guided, a) >= dot(minNorm, a) - EPS);
            // no grid point of the simplex is shorter, nor feasible and better aligned
            int steps = 60;
            for (int p = 0; p <= steps; p++) {
                for (int q = 0; q <= (m == 3 ? steps - p : 0); q++) {
                    double[] alpha = m == 2 ? new double[] {p / (double) steps, 1 - p / (double) steps}
                            : new double[] {p / (double) steps, q / (double) steps, (steps - p - q) / (double) steps};
                    assertTrue(squaredNorm(gram, alpha) >= norm - EPS, "a grid point is shorter in trial " + trial);
                    boolean descends = true;
                    for (double v : ParetoDirection.directionalProducts(gram, alpha)) {
                        descends &= v >= 0;
                    }
                    if (descends) {
                        assertTrue(dot(alpha, a) <= dot(guided, a) + 1e-7, "a grid point aligns better in trial "
                                + trial);
                    }
                }
            }
        }
    }

    private static void assertSimplex(double[] alpha) {
        double sum = 0;
        for (double v : alpha) {
            assertTrue(v >= 0);
            sum += v;
        }
        assertEquals(1, sum, EPS);
    }

    @Test
    public void aSingleObjectiveGetsAllTheWeight() {
        assertArrayEquals(new double[] {1}, ParetoDirection.minNorm(new double[][] {{4}}), EPS);
        assertArrayEquals(new double[] {1}, ParetoDirection.guided(new double[][] {{4}}, new double[] {-1}), EPS);
    }

    @Test
    public void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ParetoDirection.minNorm(new double[0][0]));
        assertThrows(IllegalArgumentException.class, () -> ParetoDirection.minNorm(new double[][] {{1, 0}}));
        assertThrows(IllegalArgumentException.class,
                () -> ParetoDirection.minNorm(new double[][] {{1, Double.NaN}, {Double.NaN, 1}}));
        assertThrows(IllegalArgumentException.class, () -> ParetoDirection.minNorm(new double[][] {{1, 2}, {0, 1}}));
        assertThrows(IllegalArgumentException.class, () -> ParetoDirection.minNorm(new double[][] {{-1}}));
        assertThrows(IllegalArgumentException.class,
                () -> ParetoDirection.guided(new double[][] {{1, 0}, {0, 1}}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> ParetoDirection.guided(new double[][] {{1, 0}, {0, 1}}, new double[] {1, Double.NaN}));
    }
}
