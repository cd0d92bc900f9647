package org.tribuoadapt.peft.linalg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class MatrixInverseTest {

    @Test
    public void invertsAHandComputedMatrixThatNeedsPivoting() {
        // [[0, 2], [1, 1]]^-1 = [[-1/2, 1], [1/2, 0]]
        assertArrayEquals(new double[] {-0.5, 1, 0.5, 0}, MatrixInverse.of(new double[] {0, 2, 1, 1}, 2), 1e-15);
        assertArrayEquals(new double[] {0.25}, MatrixInverse.of(new double[] {4}, 1), 0.0);
    }

    @Test
    public void rejectsSingularAndMisshapenMatrices() {
        assertThrows(IllegalArgumentException.class, () -> MatrixInverse.of(new double[] {1, 2, 2, 4}, 2));
        assertThrows(IllegalArgumentException.class, () -> MatrixInverse.of(new double[] {1, 2, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> MatrixInverse.of(new double[] {Double.NaN}, 1));
    }
}
