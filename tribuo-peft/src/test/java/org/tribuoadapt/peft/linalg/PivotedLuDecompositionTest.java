package org.tribuoadapt.peft.linalg;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.Initializers;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class PivotedLuDecompositionTest {

    @Test
    public void pivotsOnTheLargestEntryAsLapackDoes() {
        // [[1, 2], [3, 4]]: row 2 is the pivot; L = [[1, 0], [1/3, 1]], U = [[3, 4], [0, 2/3]], P swaps the rows
        PivotedLuDecomposition lu = PivotedLuDecomposition.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new double[] {3, 2.0 / 3}, lu.pivots(), 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 1, 1, 0}, lu.permutedLower(2), 1e-12);
        assertArrayEquals(new double[] {3, 4, 0, 2.0 / 3}, lu.upper(2), 1e-12);
    }

    @Test
    public void factorsRebuildRectangularMatrices() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int[] size : new int[][] {{5, 3}, {3, 5}, {4, 4}}) {
            int m = size[0];
            int n = size[1];
            float[] a = Initializers.normal(m * n, 1.0, rng);
            PivotedLuDecomposition lu = PivotedLuDecomposition.of(a, m, n);
            int k = lu.size();
            double[] lower = lu.permutedLower(k);
            double[] upper = lu.upper(k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int t = 0; t < k; t++) {
                        sum += lower[i * k + t] * upper[t * n + j];
                    }
                    assertEquals(a[i * n + j], sum, 1e-6, m + "x" + n + " at " + i + "," + j);
                }
            }
        }
    }

    @Test
    public void rejectsBadInput() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PivotedLuDecomposition.of(new float[3], 2, 2))
                .getMessage().contains("a 2x2 matrix needs 4 values, found 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PivotedLuDecomposition.of(new float[] {1, Float.NaN}, 1, 2))
                .getMessage().contains("cannot decompose a matrix holding NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PivotedLuDecomposition.of(new float[4], 2, 2).upper(3))
                .getMessage().contains("asked for 3 LU factors of a 2x2 matrix, which has 2"));
    }
}
