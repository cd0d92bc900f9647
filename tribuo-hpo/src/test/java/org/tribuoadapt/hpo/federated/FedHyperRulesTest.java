package org.tribuoadapt.hpo.federated;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FedHyper's server rules (G, GM, SL) and client rule (CL) against hand-computed rounds and steps.
 */
public class FedHyperRulesTest {

    /** Runs rounds of a one-parameter "network" whose clients' average is given. */
    private static float[][] rounds(GlobalScheduler global, boolean serverLocal, float[][] averages, double[] clientRates) {
        try (NDManager manager = DjlRuntime.newManager()) {
            Parameter weight = new Parameter("weight", Parameter.Kind.WEIGHT, manager.zeros(new ai.djl.ndarray.types.Shape(2)));
            List<Parameter> weights = List.of(weight);
            float[][] out = new float[averages.length][];
            try (FedHyperSchedule schedule = new FedHyperSchedule(weights, global, serverLocal, 0.01, 0.001, 0.1)) {
                for (int r = 0; r < averages.length; r++) {
                    try (NDManager round = manager.newSubManager(); NDScope ignored = new NDScope();
                         GradientMode off = GradientMode.disabled()) {
                        NDArray start = weight.array().duplicate();
                        NDArray average = round.create(averages[r]);
                        schedule.endRound(weights, new NDArray[] {start}, new NDArray[] {average});
                    }
                    out[r] = weight.toFloatArray();
                    if (clientRates != null) {
                        clientRates[r] = schedule.clientLearningRate();
                    }
                }
            }
            return out;
        }
    }

    @Test
    public void fedAvgTakesTheAverage() {
        float[][] x = rounds(GlobalScheduler.NONE, false, new float[][] {{1, 1}, {1.5f, 2}}, null);
        assertArrayEquals(new float[] {1.5f, 2f}, x[1], 0f);
    }

    @Test
    public void globalSchedulerMatchesHandComputedRounds() {
        // Round 1: Delta_1 = (1, 1), no hypergradient yet, x = (1, 1).
        // Round 2: average (1.5, 2), Delta_2 = (0.5, 1), a = 0 + Delta_2 . Delta_1 = 1.5, x = average + 1.5 Delta_2 = (2.25, 3.5).
        float[][] x = rounds(GlobalScheduler.G, false, new float[][] {{1, 1}, {1.5f, 2}}, null);
        assertArrayEquals(new float[] {1f, 1f}, x[0], 0f);
        assertArrayEquals(new float[] {2.25f, 3.5f}, x[1], 1e-6f);
        // Round 3 from x = (2.25, 3.5) with average (2.25, 3.5) + (10, 10): dot = 10*0.5 + 10*1 = 15, a = 16.5 -> clipped to 4.
        float[][] clipped = rounds(GlobalScheduler.G, false, new float[][] {{1, 1}, {1.5f, 2}, {12.25f, 13.5f}}, null);
        assertArrayEquals(new float[] {12.25f + 40f, 13.5f + 40f}, clipped[2], 1e-4f);
        // A reversal: Delta_2 = (-2, -2) against Delta_1 = (1, 1): a = -4 -> clipped to -0.8, x = average - 0.8 Delta_2.
        float[][] reversed = rounds(GlobalScheduler.G, false, new float[][] {{1, 1}, {-1, -1}}, null);
        assertArrayEquals(new float[] {-1 + 1.6f, -1 + 1.6f}, reversed[1], 1e-6f);
    }

    @Test
    public void momentumSchedulerMatchesHandComputedRounds() {
        // m_1 = Delta_1 = (1, 1). Round 2: Delta_2 = (0.5, 1), a = Delta_2 . m_1 = 1.5,
        // x = average + 1.5 (Delta_2 + 0.9 m_1) = (1.5 + 1.5*1.4, 2 + 1.5*1.9) = (3.6, 4.85); m_2 = (1.4, 1.9).
        float[][] x = rounds(GlobalScheduler.GM, false, new float[][] {{1, 1}, {1.5f, 2}}, null);
        assertArrayEquals(new float[] {3.6f, 4.85f}, x[1], 1e-5f);
        // A reversal clips a at -0.2: Delta_2 = (-2, -2), a = -4 -> -0.2, x = (-1, -1) - 0.2 ((-2, -2) + 0.9 (1, 1)) = (-0.78, -0.78).
        float[][] reversed = rounds(GlobalScheduler.GM, false, new float[][] {{1, 1}, {-1, -1}}, null);
        assertArrayEquals(new float[] {-0.78f, -0.78f}, reversed[1], 1e-6f);
    }

    @Test
    public void serverLocalSchedulerSetsTheNextRoundsClientRate() {
        double[] rates = new double[3];
        // a_SL = 1.5 after round 2: eta = clip(0.01 * 2.5, 0.001, 0.1) = 0.025; round 3 adds Delta_3 . Delta_2 = 10 * 1.5 = 15 -> 0.1.
        rounds(GlobalScheduler.NONE, true, new float[][] {{1, 1}, {1.5f, 2}, {11.5f, 12}}, rates);
        assertEquals(0.01, rates[0], 0.0);
        assertEquals(0.025, rates[1], 1e-9);
        assertEquals(0.1, rates[2], 0.0);
    }

    @Test
    public void divergedClientsAreReported() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> rounds(GlobalScheduler.G, false, new float[][] {{1, 1}, {Float.NaN, 1}}, null));
        assertTrue(e.getMessage().contains("round 2") && e.getMessage().contains("NaN"), e.getMessage());
    }

    /** Two local steps of the quadratic 1/2 sum a_i theta_i^2 with CL against Delta_{t-1} = (0.5, -1), m = 4. */
    private static double clientRateAfterTwoSteps(float[] curvature, float[] start) {
        try (NDManager manager = DjlRuntime.newManager()) {
            Parameter theta = new Parameter("weight", Parameter.Kind.WEIGHT, manager.create(start));
            NDArray[] previous = {manager.create(new float[] {0.5f, -1f})};
            try (ClientOptimiser optimiser = new ClientOptimiser(List.of(theta), 0.1, 0.0, previous, 4)) {
                for (int k = 0; k < 2; k++) {
                    try (NDManager batch = manager.newSubManager(); NDScope ignored = new NDScope()) {
                        NDArray a = batch.create(curvature);
                        try (GradientMode on = GradientMode.enabled()) {
                            GradientMode.backward(theta.array().square().mul(a).sum().mul(0.5f));
                        }
                        optimiser.step();
                        GradientMode.zeroGradient(theta.array());
                    }
                }
                return optimiser.learningRate();
            }
        }
    }

    @Test
    public void clientSchedulerMatchesHandComputedSteps() {
        // theta0 = (1, 0), a = (1, 4): d1 = (-0.1, 0), d2 = (-0.09, 0);
        // gamma = 1 + 0.1 (d2 . Delta) / 4 + d2 . d1 = 1 - 0.001125 + 0.009 = 1.007875; rate = 0.1 * 1.007875.
        assertEquals(0.1007875, clientRateAfterTwoSteps(new float[] {1, 4}, new float[] {1, 0}), 1e-7);
        // theta0 = (1, -2), a = (1, 4): gamma = 1 + x + 0.393 is capped at 1.1.
        assertEquals(0.11, clientRateAfterTwoSteps(new float[] {1, 4}, new float[] {1, -2}), 1e-7);
        // a = (1, 25) overshoots: d1 = (-0.1, 5), d2 = (-0.09, -7.5), gamma < 0, so the multiplier is clipped to 0.1.
        assertEquals(0.01, clientRateAfterTwoSteps(new float[] {1, 25}, new float[] {1, -2}), 1e-9);
    }
}
