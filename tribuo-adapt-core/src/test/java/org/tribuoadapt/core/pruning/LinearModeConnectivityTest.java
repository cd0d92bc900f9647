package org.tribuoadapt.core.pruning;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class LinearModeConnectivityTest {

    @Test
    public void barrierIsNegative() {
        // ends' mean 0.15; the largest deviation is at index 1 (0.3)
        double[] barrier = {0.1, 0.3, 0.2};
        assertEquals(1, LinearModeConnectivity.peak(barrier));
        assertEquals(-0.15, LinearModeConnectivity.of(barrier), 1e-12);
    }

    @Test
    public void dipIsPositive() {
        double[] dip = {0.4, 0.35, 0.1, 0.3, 0.4};
        assertEquals(2, LinearModeConnectivity.peak(dip));
        assertEquals(0.3, LinearModeConnectivity.of(dip), 1e-12);
    }

    @Test
    public void flatPathIsZeroAndTiesTakeTheFirstPoint() {
        assertEquals(0.0, LinearModeConnectivity.of(new double[] {0.2, 0.2, 0.2, 0.2}));
        assertEquals(0, LinearModeConnectivity.peak(new double[] {0.2, 0.2, 0.2}));
        // every point is 0.05 from the ends' mean 0.15: the first one wins
        assertEquals(0, LinearModeConnectivity.peak(new double[] {0.1, 0.1, 0.2}));
    }

    @Test
    public void refusesShortOrNonFinitePaths() {
        assertThrows(IllegalArgumentException.class, () -> LinearModeConnectivity.of(new double[] {0.1}));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> LinearModeConnectivity.of(new double[] {0.1, Double.NaN, 0.2}));
        assertEquals("the metric at point 1 of the path is NaN", nan.getMessage());
    }
}
