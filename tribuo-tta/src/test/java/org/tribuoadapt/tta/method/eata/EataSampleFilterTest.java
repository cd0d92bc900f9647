package org.tribuoadapt.tta.method.eata;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

public class EataSampleFilterTest {

    private static final double E0 = 0.4 * Math.log(3);

    @Test
    public void keepsExactlyTheReliableNonRedundantSamples() {
        EataSampleFilter filter = new EataSampleFilter(E0, 0.95, 0.9);
        assertNull(filter.runningMean());
        // first batch: no moving average yet, so every sample below E0 (0.439) is kept
        float[] entropies = {0.10f, 0.80f, 0.30f, 0.44f};
        float[] probabilities = {
            0.9f, 0.05f, 0.05f,
            0.4f, 0.3f, 0.3f,
            0.1f, 0.8f, 0.1f,
            0.2f, 0.2f, 0.6f};
        EataSampleFilter.Selection first = filter.select(entropies, probabilities, 3);
        assertArrayEquals(new boolean[] {true, false, true, false}, first.reliable());
        assertArrayEquals(new boolean[] {true, false, true, false}, first.kept());
        assertEquals(2, first.keptCount());
        // weights 1 / exp(E - E0) for kept samples, 0 otherwise
        assertArrayEquals(new float[] {(float) Math.exp(E0 - 0.10), 0f, (float) Math.exp(E0 - 0.30), 0f},
                first.weights(), 1e-6f);
        // the average starts as the mean of the kept probabilities
        assertArrayEquals(new double[] {0.5, 0.425, 0.075}, filter.runningMean(), 1e-6);

        // second batch: cosine to m = (0.5, 0.425, 0.075), |m| = 0.6605
        float[] entropies2 = {0.2f, 0.2f, 0.2f};
        float[] probabilities2 = {
            0.5f, 0.425f, 0.075f,   // cos = 1      -> redundant
            0.0f, 0.0f, 1.0f,       // cos = 0.1136 -> kept
            1.0f, 0.0f, 0.0f};      // cos = 0.7570 -> kept (below 0.95)
        EataSampleFilter.Selection second = filter.select(entropies2, probabilities2, 3);
        assertArrayEquals(new boolean[] {true, true, true}, second.reliable());
        assertArrayEquals(new boolean[] {false, true, true}, second.kept());
        // m = 0.9 m + 0.1 mean(kept) = 0.9 (0.5, 0.425, 0.075) + 0.1 (0.5, 0, 0.5)
        assertArrayEquals(new double[] {0.5, 0.3825, 0.1175}, filter.runningMean(), 1e-6);

        // a stricter margin drops the sample at cosine 0.757 too
        EataSampleFilter strict = new EataSampleFilter(E0, 0.5, 0.9);
        strict.select(entropies, probabilities, 3);
        assertArrayEquals(new boolean[] {false, true, false}, strict.select(entropies2, probabilities2, 3).kept());

        // a batch with nothing kept leaves the average alone; a reset forgets it
        double[] before = filter.runningMean();
        EataSampleFilter.Selection none = filter.select(new float[] {2f}, new float[] {0.3f, 0.3f, 0.4f}, 3);
        assertEquals(0, none.keptCount());
        assertArrayEquals(before, filter.runningMean(), 0);
        filter.reset();
        assertNull(filter.runningMean());
    }
}
