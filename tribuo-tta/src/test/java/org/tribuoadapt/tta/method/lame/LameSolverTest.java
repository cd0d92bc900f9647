package org.tribuoadapt.tta.method.lame;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LAME's bound iteration and affinities (Boudiaf et al. 2022).
 */
public class LameSolverTest {

    @Test
    public void lameNeverIncreasesItsObjective() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 40;
        int classes = 5;
        int width = 12;
        for (int trial = 0; trial < 5; trial++) {
            float[] p = new float[n * classes];
            float[] f = new float[n * width];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    p[i * classes + c] = (float) Math.exp(2 * rng.nextGaussian());
                    sum += p[i * classes + c];
                }
                for (int c = 0; c < classes; c++) {
                    p[i * classes + c] /= sum;
                }
                for (int d = 0; d < width; d++) {
                    f[i * width + d] = (float) (rng.nextGaussian() + (i % classes == d % classes ? 2 : 0));
                }
            }
            LameSolver.Result result = LameSolver.solve(p, classes, f, width, LameAffinity.RBF, 5, 100);
            double[] trace = result.objective();
            assertTrue(trace.length > 2);
            for (int k = 1; k < trace.length; k++) {
                assertTrue(trace[k] <= trace[k - 1] + 1e-9 * Math.abs(trace[k - 1]),
                        "the objective rose from " + trace[k - 1] + " to " + trace[k] + " at iteration " + k);
            }
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += result.assignment()[i * classes + c];
                }
                assertEquals(1, sum, 1e-9);
            }
        }
    }

    @Test
    public void lameAffinities() {
        // four points on a line after normalisation: (1,0), (1,0.1), (0,1), (0.1,1)
        double[] f = {1, 0, 0.995037, 0.0995037, 0, 1, 0.0995037, 0.995037};
        double[][] knn = LameSolver.affinity(f, 4, 2, LameAffinity.KNN, 1);
        assertArrayEquals(new double[] {0, 1, 0, 0}, knn[0]);
        assertArrayEquals(new double[] {0, 0, 1, 0}, knn[3]);
        double[][] rbf = LameSolver.affinity(f, 4, 2, LameAffinity.RBF, 2);
        // sigma = mean distance to the nearest other point = 0.0998
        double d01 = Math.hypot(1 - 0.995037, 0.0995037);
        assertEquals(Math.exp(-d01 * d01 / (2 * d01 * d01)), rbf[0][1], 1e-6);
        assertEquals(1, rbf[2][2], 0);
        // linear: cosine similarities, 1 on the diagonal
        double[][] linear = LameSolver.affinity(f, 4, 2, LameAffinity.LINEAR, 5);
        assertArrayEquals(new double[] {1, 0.995037, 0, 0.0995037}, linear[0], 1e-12);
        assertEquals(2 * 0.995037 * 0.0995037, linear[1][3], 1e-12);
        assertEquals(linear[3][1], linear[1][3], 0);
        // a single example has no neighbours: LAME returns the model's probabilities
        LameSolver.Result one = LameSolver.solve(new float[] {0.2f, 0.8f}, 2, new float[] {1, 2}, 2, LameAffinity.RBF, 5, 10);
        assertArrayEquals(new double[] {0.2, 0.8}, one.assignment(), 1e-6);
    }
}
