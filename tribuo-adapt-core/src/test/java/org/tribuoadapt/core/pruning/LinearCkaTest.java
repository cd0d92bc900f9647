package org.tribuoadapt.core.pruning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class LinearCkaTest {

    private static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new double[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = rows.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    private static double[][] random(int n, int p, long seed) {
        Random rng = new Random(seed);
        double[][] out = new double[n][p];
        for (double[] row : out) {
            for (int j = 0; j < p; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return out;
    }

    private static double[][] times(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int k = 0; k < b.length; k++) {
                    out[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return out;
    }

    /** An orthogonal matrix: Gram-Schmidt on a random square matrix. */
    private static double[][] orthogonal(int p, long seed) {
        double[][] q = random(p, p, seed);
        for (int c = 0; c < p; c++) {
            for (int prev = 0; prev < c; prev++) {
                double dot = 0;
                for (int r = 0; r < p; r++) {
                    dot += q[r][c] * q[r][prev];
                }
                for (int r = 0; r < p; r++) {
                    q[r][c] -= dot * q[r][prev];
                }
            }
            double norm = 0;
            for (int r = 0; r < p; r++) {
                norm += q[r][c] * q[r][c];
            }
            for (int r = 0; r < p; r++) {
                q[r][c] /= Math.sqrt(norm);
            }
        }
        return q;
    }

    @Test
    public void matchesPyTorchReference() throws IOException {
        try (InputStream in = LinearCkaTest.class.getResourceAsStream("linear_cka_reference.json")) {
            JsonNode cases = new ObjectMapper().readTree(in).get("cases");
            assertEquals(4, cases.size());
            for (JsonNode c : cases) {
                double expected = c.get("cka").asDouble();
                assertEquals(expected, LinearCka.similarity(matrix(c.get("x")), matrix(c.get("y"))), 1e-12);
                assertEquals(expected, LinearCka.similarity(matrix(c.get("y")), matrix(c.get("x"))), 1e-12);
            }
        }
    }

    @Test
    public void representationAgainstItselfIsOne() {
        double[][] x = random(15, 4, 1);
        assertEquals(1.0, LinearCka.similarity(x, x), 1e-12);
    }

    @Test
    public void invariantToOrthogonalTransformAndIsotropicScaling() {
        double[][] x = random(20, 5, 2);
        double[][] y = random(20, 3, 3);
        double reference = LinearCka.similarity(x, y);
        double[][] rotated = times(x, orthogonal(5, 4));
        assertEquals(reference, LinearCka.similarity(rotated, y), 1e-12);
        double[][] scaled = new double[y.length][];
        for (int i = 0; i < y.length; i++) {
            scaled[i] = y[i].clone();
            for (int j = 0; j < scaled[i].length; j++) {
                scaled[i][j] *= -7.5;
            }
        }
        assertEquals(reference, LinearCka.similarity(x, scaled), 1e-12);
        assertEquals(1.0, LinearCka.similarity(x, times(x, orthogonal(5, 5))), 1e-12);
        assertTrue(reference >= 0 && reference <= 1);
    }

    @Test
    public void refusesBadInput() {
        double[][] x = random(4, 2, 6);
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> LinearCka.similarity(x, random(5, 2, 7)));
        assertTrue(rows.getMessage().contains("4 and 5 rows"), rows.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinearCka.similarity(random(1, 2, 8), random(1, 2, 9)));
        double[][] constant = {{1, 2}, {1, 2}, {1, 2}, {1, 2}};
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> LinearCka.similarity(x, constant));
        assertTrue(flat.getMessage().contains("same for every example"), flat.getMessage());
        double[][] nan = random(4, 2, 10);
        nan[2][1] = Double.NaN;
        IllegalArgumentException notFinite = assertThrows(IllegalArgumentException.class, () -> LinearCka.similarity(nan, x));
        assertTrue(notFinite.getMessage().contains("row 2, column 1"), notFinite.getMessage());
        double[][] ragged = {{1, 2}, {3}, {4, 5}, {6, 7}};
        assertThrows(IllegalArgumentException.class, () -> LinearCka.similarity(ragged, x));
    }
}
