package org.tribuoadapt.core.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The SogCLR loss, the moving average u and the iSogCLR temperature updates on two batches of two examples (four
 * projections each). The expected figures come from an independent double-precision NumPy transcription of the
 * update rules (SogCLR Algorithm 1; iSogCLR Algorithm 1 with LibAUC's momentum convention), with gamma 0.6,
 * temperature 0.2, rho 0.3, beta 0.9 and temperatures bounded to [0.05, 0.7]; the first batch has example ids 5 and
 * 2, the second ids 2 (seen before: moving average) and 7 (new: its batch estimate).
 */
public class ContrastiveStateTest {

    private static final float[] FIRST = {1.0f, 0.5f, -0.2f, 0.3f, -1.0f, 0.4f, 0.8f, 0.7f, 0.1f, -0.2f, -0.9f, 0.6f};
    private static final float[] SECOND = {0.2f, 1.0f, 0.3f, 0.9f, -0.4f, -0.5f, 0.1f, 0.8f, 0.6f, 1.0f, -0.1f, -0.3f};
    private static final double TOLERANCE = 1e-5;

    private static GlobalContrastiveObjective isogclr(double eta) {
        return GlobalContrastiveObjective.isogclr(0.2, 0.6, 0.3, eta, 0.9, 0.05, 0.7, ViewAugmentation.none());
    }

    private static double loss(ContrastiveState state, float[] z, int[] ids) {
        try (NDManager manager = DjlRuntime.newManager()) {
            return state.loss(manager.create(z, new Shape(4, 3)), ids).getFloat();
        }
    }

    @Test
    public void sogclrLossAndMovingAverage() {
        ContrastiveState state = new ContrastiveState(
                GlobalContrastiveObjective.sogclr(0.2, 0.6, ViewAugmentation.none()));
        assertEquals(-2.59010013869108, loss(state, FIRST, new int[] {5, 2}), TOLERANCE);
        assertEquals(0.148703215640001, state.u(5), TOLERANCE);
        assertEquals(0.148703215640001, state.u(2), TOLERANCE);
        assertEquals(0.0, state.u(7));
        assertEquals(-2.23821874264519, loss(state, SECOND, new int[] {2, 7}), TOLERANCE);
        assertEquals(0.148703215640001, state.u(5), TOLERANCE);
        assertEquals(0.331396215068189, state.u(2), TOLERANCE);
        assertEquals(0.453191548020314, state.u(7), TOLERANCE);
        assertEquals(0.2, state.temperature(2));
        assertEquals(0.2, state.temperature(7));
    }

    @Test
    public void isogclrTemperatureUpdates() {
        ContrastiveState state = new ContrastiveState(isogclr(0.1));
        assertEquals(-2.59010013869108, loss(state, FIRST, new int[] {5, 2}), TOLERANCE);
        assertEquals(0.195851342236605, state.temperature(5), TOLERANCE);
        assertEquals(0.175304805293479, state.temperature(2), TOLERANCE);
        assertEquals(0.2, state.temperature(7));
        assertEquals(-2.2209084713087, loss(state, SECOND, new int[] {2, 7}), TOLERANCE);
        assertEquals(0.315157139428682, state.u(2), TOLERANCE);
        assertEquals(0.453191548020314, state.u(7), TOLERANCE);
        assertEquals(0.195851342236605, state.temperature(5), TOLERANCE);
        assertEquals(0.183165598219278, state.temperature(2), TOLERANCE);
        assertEquals(0.179782199189187, state.temperature(7), TOLERANCE);
    }

    @Test
    public void temperaturesStayWithinTheirBounds() {
        ContrastiveState state = new ContrastiveState(isogclr(10.0));
        loss(state, FIRST, new int[] {5, 2});
        assertEquals(0.05, state.temperature(5), 1e-12);
        assertEquals(0.05, state.temperature(2), 1e-12);
        assertEquals(-2.0985775322668, loss(state, SECOND, new int[] {2, 7}), TOLERANCE);
        assertEquals(0.246443981276666, state.u(2), TOLERANCE);
        assertEquals(0.7, state.temperature(2), 1e-12);
        assertEquals(0.05, state.temperature(7), 1e-12);
    }

    /**
     * On an example's first visit u is the batch estimate g, so the surrogate's gradient must equal the gradient of
     * the contrastive objective itself, {@code (1/B) sum_k [tau log mean_j exp(s_kj / tau) - s_k,pos]}.
     */
    @Test
    public void firstVisitGradientIsTheObjectiveGradient() {
        float[] surrogate = gradient(z -> new ContrastiveState(
                GlobalContrastiveObjective.sogclr(0.2, 0.6, ViewAugmentation.none())).loss(z, new int[] {0, 1}));
        float[] exact = gradient(z -> {
            NDArray n = z.div(z.norm(new int[] {1}, true));
            NDArray s = n.matMul(n.transpose());
            NDManager manager = z.getManager();
            // rows 0..3; row k's positive is (k + 2) % 4 and its negatives are the other two rows
            NDArray negatives = manager.create(new float[] {0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0}, new Shape(4, 4));
            NDArray positives = manager.create(new float[] {0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0}, new Shape(4, 4));
            NDArray logMean = s.div(0.2f).exp().mul(negatives).sum(new int[] {1}).div(2f).log().mul(0.2f);
            return logMean.sub(s.mul(positives).sum(new int[] {1})).sum().div(2f);
        });
        assertArrayEquals(exact, surrogate, 1e-5f);
    }

    private static float[] gradient(java.util.function.Function<NDArray, NDArray> loss) {
        try (NDManager manager = DjlRuntime.newManager(); GradientMode on = GradientMode.enabled()) {
            NDArray z = manager.create(FIRST, new Shape(4, 3));
            z.setRequiresGradient(true);
            GradientMode.backward(loss.apply(z));
            return z.getGradient().toFloatArray();
        }
    }

    @Test
    public void rejectsMalformedBatches() {
        ContrastiveState state = new ContrastiveState(GlobalContrastiveObjective.sogclr(0.2, 0.6, ViewAugmentation.none()));
        assertThrows(IllegalArgumentException.class, () -> loss(state, FIRST, new int[] {3, 3}));
        assertThrows(IllegalArgumentException.class, () -> loss(state, FIRST, new int[] {1, -1}));
        try (NDManager manager = DjlRuntime.newManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> state.loss(manager.create(FIRST, new Shape(4, 3)), new int[] {1, 2, 3}));
            assertThrows(IllegalArgumentException.class,
                    () -> state.loss(manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)), new int[] {0}));
        }
    }
}
