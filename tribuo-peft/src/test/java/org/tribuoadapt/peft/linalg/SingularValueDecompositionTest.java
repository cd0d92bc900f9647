package org.tribuoadapt.peft.linalg;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class SingularValueDecompositionTest {

    @Test
    public void knownSingularValues() {
        // [[3, 0], [4, 5]] has singular values 3 sqrt(5) and sqrt(5)
        SingularValueDecomposition svd = SingularValueDecomposition.of(new float[] {3, 0, 4, 5}, 2, 2);
        assertArrayEquals(new double[] {3 * Math.sqrt(5), Math.sqrt(5)}, svd.singularValues(), 1e-6);
        // the rank-one matrix u v^T with u = (2, 1), v = (1, 0, 1) has the one singular value |u| |v| = sqrt(10)
        SingularValueDecomposition rankOne = SingularValueDecomposition.of(new float[] {2, 0, 2, 1, 0, 1}, 2, 3);
        assertArrayEquals(new double[] {Math.sqrt(10), 0}, rankOne.singularValues(), 1e-6);
    }

    private static void assertReconstructs(int rows, int columns) {
        SplittableRandom rng = new SplittableRandom(rows * 31L + columns);
        float[] a = new float[rows * columns];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        SingularValueDecomposition svd = SingularValueDecomposition.of(a, rows, columns);
        int k = svd.size();
        assertEquals(Math.min(rows, columns), k);
        double[] s = svd.singularValues();
        double[] u = svd.leftVectors(k);
        double[] vt = svd.rightVectorsTransposed(k);
        for (int i = 0; i + 1 < k; i++) {
            assertEquals(true, s[i] >= s[i + 1], "descending");
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += u[r * k + j] * s[j] * vt[j * columns + c];
                }
                assertEquals(a[r * columns + c], sum, 1e-6);
            }
        }
        for (int p = 0; p < k; p++) {
            for (int q = 0; q < k; q++) {
                double uu = 0;
                for (int r = 0; r < rows; r++) {
                    uu += u[r * k + p] * u[r * k + q];
                }
                double vv = 0;
                for (int c = 0; c < columns; c++) {
                    vv += vt[p * columns + c] * vt[q * columns + c];
                }
                assertEquals(p == q ? 1 : 0, uu, 1e-9);
                assertEquals(p == q ? 1 : 0, vv, 1e-9);
            }
        }
    }

    @Test
    public void reconstructsTallWideAndSquareMatrices() {
        assertReconstructs(7, 4);
        assertReconstructs(4, 9);
        assertReconstructs(6, 6);
    }

    @Test
    public void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> SingularValueDecomposition.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> SingularValueDecomposition.of(new float[] {1, Float.NaN}, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> SingularValueDecomposition.of(new float[4], 2, 2).leftVectors(3));
    }
}
