package org.tribuoadapt.core.richfeatures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class SynthesisObjectiveTest {

    @Test
    public void lossIsTheBalancedMeanOfTheHeadsCrossEntropies() {
        // a linear network from 2 inputs to 2 heads of 2 classes, logits = W x
        float[] weight = {1, 0, 0, 1, 2, -1, -1, 0.5f};
        float[][] x = {{0.5f, -1}, {2, 1}};
        // the batch holds examples 0 and 2 of three; example 1 is not in it
        int[][] pseudo = {{1, 1, 0}, {0, 1, 0}};
        double[] cellWeights = {0.25, 9, 0.75};
        int[] ids = {0, 2};
        try (Network net = new MLPSpec(2, new int[0], Activation.RELU, 0.0).build(4, 1L);
             NDManager batch = net.manager().newSubManager()) {
            net.loadStateDict(Map.of("head.weight", TensorData.ofFloats(new long[] {4, 2}, weight),
                    "head.bias", TensorData.ofFloats(new long[] {4}, new float[4])), true);
            NDArray features = batch.create(new float[] {x[0][0], x[0][1], x[1][0], x[1][1]}, new Shape(2, 2));
            NDArray idArray = batch.create(new long[] {ids[0], ids[1]});
            double loss = new SynthesisObjective(pseudo, cellWeights, 2).objective()
                    .loss(net, features, idArray, ForwardContext.training(batch)).getFloat();
            double expected = 0;
            for (int i = 0; i < 2; i++) {
                double[] z = new double[4];
                for (int o = 0; o < 4; o++) {
                    z[o] = weight[2 * o] * x[i][0] + weight[2 * o + 1] * x[i][1];
                }
                double perExample = 0;
                for (int k = 0; k < 2; k++) {
                    double a = z[2 * k];
                    double b = z[2 * k + 1];
                    double logNorm = Math.log(Math.exp(a) + Math.exp(b));
                    perExample += (logNorm - z[2 * k + pseudo[k][ids[i]]]) / 2;
                }
                expected += cellWeights[ids[i]] / (cellWeights[0] + cellWeights[2]) * perExample;
            }
            assertEquals(expected, loss, 1e-5);
        }
    }

    @Test
    public void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> new SynthesisObjective(new int[0][], new double[] {1}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> new SynthesisObjective(new int[][] {{0, 1}}, new double[] {1}, 2));
        try (Network net = new MLPSpec(2, new int[0], Activation.RELU, 0.0).build(3, 1L);
             NDManager batch = net.manager().newSubManager()) {
            NDArray features = batch.create(new float[] {1, 2}, new Shape(1, 2));
            assertThrows(IllegalStateException.class, () -> new SynthesisObjective(new int[][] {{0}, {1}},
                    new double[] {1}, 2).objective().loss(net, features, batch.create(new long[] {0}),
                    ForwardContext.training(batch)));
        }
    }
}
