package org.tribuoadapt.tta.method.batchnorm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.tta.method.AdaptationContext;
import org.tribuoadapt.tta.method.AdaptationSession;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Core's class-correlation loss against hand-computed values, its alpha-BN statistics and its online updates.
 */
public class CoreTest {

    private static final AdaptationContext CONTEXT = new AdaptationContext(16, 1000, null);

    private static float loss(NDManager manager, float[] probabilities, int classes) {
        NDArray p = manager.create(probabilities, new Shape(probabilities.length / classes, classes));
        return Core.classCorrelationLoss(p).getFloat();
    }

    @Test
    public void lossMatchesAHandComputedValue() {
        try (NDManager manager = DjlRuntime.newManager()) {
            // P = [[1, 0], [0.5, 0.5]]: M = P^T P = [[1.25, 0.25], [0.25, 0.25]], row sums 1.5 and 0.5,
            // so Mn = [[5/6, 1/6], [1/2, 1/2]] and L = (1/6 + 1/2) / 2 = 1/3
            assertEquals(1.0 / 3, loss(manager, new float[] {1, 0, 0.5f, 0.5f}, 2), 1e-6);
            // P = [[0.5, 0.5, 0], [0, 0.5, 0.5], [0, 0, 1]]: M = [[0.25, 0.25, 0], [0.25, 0.5, 0.25], [0, 0.25, 1.25]],
            // Mn off-diagonals 1/2, 1/4 + 1/4, 1/6; L = (1/2 + 1/2 + 1/6) / 3 = 7/18
            assertEquals(7.0 / 18, loss(manager, new float[] {0.5f, 0.5f, 0, 0, 0.5f, 0.5f, 0, 0, 1}, 3), 1e-6);
        }
    }

    @Test
    public void lossIsZeroForConfidentAndOneMinusOneOverCForUniformPredictions() {
        try (NDManager manager = DjlRuntime.newManager()) {
            // one-hot rows: M is diagonal (a class no row predicts has an empty row, divided by epsilon, adding 0)
            assertEquals(0.0, loss(manager, new float[] {1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0}, 4), 1e-7);
            float[] uniform = new float[5 * 4];
            Arrays.fill(uniform, 0.25f);
            assertEquals(0.75, loss(manager, uniform, 4), 1e-6);
        }
    }

    @Test
    public void lossRejectsABadShape() {
        try (NDManager manager = DjlRuntime.newManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Core.classCorrelationLoss(manager.ones(new Shape(4))));
            assertEquals("Core's loss needs probabilities of shape [N, C] with N >= 1, found (4)", e.getMessage());
        }
    }

    @Test
    public void firstPredictionIsAlphaBatchNorms() {
        // the first batch is predicted by the forward pass before the first update, with alpha-BN's statistics
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        try (AdaptationSession core = new Core(0.3, new AdamOptimiserFactory(1e-2), 1, List.of(), false)
                .start(model, CONTEXT);
             AdaptationSession alphaBn = new AlphaBatchNorm(0.3).start(model, CONTEXT);
             AdaptationSession tentLike = new Core(1.0, new AdamOptimiserFactory(1e-2), 1, List.of(), false)
                     .start(model, CONTEXT)) {
            float[] expected = alphaBn.predict(x, 16);
            assertArrayEquals(expected, core.predict(x, 16), 1e-5f);
            // with alpha = 1 the statistics are the batch's own, which differ on a shifted batch
            assertFalse(Arrays.equals(expected, tentLike.predict(x, 16)));
            // after the update the same batch is predicted differently, and a reset restores the first prediction
            assertFalse(Arrays.equals(expected, core.predict(x, 16)));
            core.reset();
            assertArrayEquals(expected, core.predict(x, 16), 1e-5f);
        }
    }

    @Test
    public void stepsLowerTheLossOnARepeatedBatchAndRunsRepeat() {
        NetworkModel model = TtaFixtures.cnn();
        float[] x = TtaFixtures.shiftedInputs(16, "fog", 5);
        Core core = new Core(0.1, new SGDOptimiserFactory(0.5, 0.0, false, 0), 1, List.of(), false);
        float[] first;
        float[] last;
        try (AdaptationSession session = core.start(model, CONTEXT); NDManager manager = DjlRuntime.newManager()) {
            first = session.predict(x, 16);
            float[] p = first;
            for (int i = 0; i < 10; i++) {
                p = session.predict(x, 16);
            }
            last = p;
            int classes = first.length / 16;
            assertTrue(loss(manager, last, classes) < loss(manager, first, classes),
                    loss(manager, last, classes) + " >= " + loss(manager, first, classes));
        }
        try (AdaptationSession again = core.start(model, CONTEXT)) {
            assertArrayEquals(first, again.predict(x, 16));
            float[] p = null;
            for (int i = 0; i < 10; i++) {
                p = again.predict(x, 16);
            }
            assertArrayEquals(last, p);
        }
    }

    @Test
    public void impossibleSettingsNameTheField() {
        assertTrue(assertThrows(PropertyException.class,
                () -> new Core(-0.1, new AdamOptimiserFactory(1e-3), 1, List.of(), false)).getMessage()
                .contains("alpha must be in [0, 1], found -0.1"));
        assertTrue(assertThrows(PropertyException.class,
                () -> new Core(0.1, new AdamOptimiserFactory(1e-3), 0, List.of(), false)).getMessage()
                .contains("steps must be at least 1, found 0"));
    }
}
