package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.BatchNorm;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class NormStatisticsTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextGaussian() * 2 + 0.5);
        }
        return out;
    }

    /** Runs a layer alone on a [5, 4, 6, 6] batch. */
    private static float[] run(org.tribuoadapt.core.nn.Layer layer, NDManager m, NDArray x) {
        try (GradientMode ignored = GradientMode.disabled()) {
            return layer.apply(x, ForwardContext.inference(m)).toFloatArray();
        }
    }

    @Test
    public void batchStatisticsNormaliseAsTheFormulasSay() {
        NetworkModel model = TtaFixtures.cnn();
        try (Network network = model.newNetwork(); NDManager m = network.manager().newSubManager()) {
            BatchNorm bn = (BatchNorm) network.layer("bn1");
            NDArray x = m.create(random(5 * 4 * 6 * 6, 1), new Shape(5, 4, 6, 6));
            float[] runningMean = bn.runningMean().toFloatArray();
            float[] runningVar = bn.runningVar().toFloatArray();
            float[] gamma = bn.weight().toFloatArray();
            float[] beta = bn.bias().toFloatArray();
            float[] in = x.toFloatArray();
            for (double alpha : new double[] {1.0, 0.5, 0.1}) {
                float[] out = run(new TestTimeBatchNorm(bn, alpha), m, x);
                // by hand: per channel, the batch mean and variance (biased when alpha = 1, the normalisation of a
                // training-mode BatchNorm; unbiased when mixed, as the reference alpha-BN), mixed with the running ones
                for (int c = 0; c < 4; c++) {
                    double sum = 0;
                    double squares = 0;
                    List<Integer> positions = new ArrayList<>();
                    for (int n = 0; n < 5; n++) {
                        for (int k = 0; k < 36; k++) {
                            positions.add((n * 4 + c) * 36 + k);
                        }
                    }
                    for (int p : positions) {
                        sum += in[p];
                    }
                    double mean = sum / positions.size();
                    for (int p : positions) {
                        squares += (in[p] - mean) * (in[p] - mean);
                    }
                    double var = squares / (alpha == 1 ? positions.size() : positions.size() - 1);
                    double mixedMean = (1 - alpha) * runningMean[c] + alpha * mean;
                    double mixedVar = (1 - alpha) * runningVar[c] + alpha * var;
                    for (int p : positions) {
                        double expected = (in[p] - mixedMean) / Math.sqrt(mixedVar + bn.eps()) * gamma[c] + beta[c];
                        assertEquals(expected, out[p], 1e-4, "alpha " + alpha + " channel " + c);
                    }
                }
            }
            // the running statistics are never updated
            assertArrayEquals(runningMean, bn.runningMean().toFloatArray());
            assertArrayEquals(runningVar, bn.runningVar().toFloatArray());
            // alpha = 0 is exactly the source layer's inference
            assertArrayEquals(run(bn, m, x), run(new TestTimeBatchNorm(bn, 0.0), m, x));
            assertThrows(IllegalArgumentException.class, () -> new TestTimeBatchNorm(bn, 1.5));
        }
    }

    @Test
    public void replacementKeepsParameterNamesAndObjects() {
        NetworkModel model = TtaFixtures.cnn();
        try (Network network = model.newNetwork()) {
            List<String> before = new ArrayList<>(network.parameters().keySet());
            Object weight = network.parameters().get("bn2.weight");
            List<TestTimeBatchNorm> replaced = NormLayers.useBatchStatistics(network, 1.0);
            assertEquals(2, replaced.size());
            assertEquals(before, new ArrayList<>(network.parameters().keySet()));
            assertTrue(weight == network.parameters().get("bn2.weight"));
            assertTrue(network.layer("bn1") instanceof TestTimeBatchNorm);
        }
    }

    @Test
    public void aSingleVectorUsesTheSourceStatistics() {
        try (NDManager m = org.tribuoadapt.core.nn.DjlRuntime.newManager()) {
            BatchNorm bn = new BatchNorm(m, 3);
            bn.runningMean().assign(new float[] {1, 2, 3});
            bn.runningVar().assign(new float[] {4, 4, 4});
            bn.weight().assign(new float[] {1, 1, 1});
            NDArray x = m.create(new float[] {3, 4, 5}, new Shape(1, 3));
            float[] out = run(new TestTimeBatchNorm(bn, 1.0), m, x);
            assertArrayEquals(new float[] {1, 1, 1}, out, 1e-4f);
        }
    }
}
