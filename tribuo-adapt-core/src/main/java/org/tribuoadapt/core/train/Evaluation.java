package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;

import java.util.Arrays;

/**
 * Loss and accuracy of a network on dense labelled data, in inference mode and without gradients; the training
 * loop uses it for validation.
 */
public final class Evaluation {

    /** Examples per inference batch. */
    public static final int BATCH_SIZE = 512;

    private Evaluation() {}

    /**
     * Computes the mean cross-entropy and the accuracy (argmax of the logits).
     * @param network The network.
     * @param data The data.
     * @return {mean loss, accuracy}.
     */
    public static double[] lossAndAccuracy(Network network, TensorDataset data) {
        double lossSum = 0;
        long correct = 0;
        try (GradientMode ignored = GradientMode.disabled()) {
            for (int from = 0; from < data.size(); from += BATCH_SIZE) {
                int[] indices = range(from, Math.min(data.size(), from + BATCH_SIZE));
                try (NDManager batch = network.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray labels = data.labels(batch, indices);
                    NDArray features = data.features(batch, indices);
                    ForwardContext context = ForwardContext.inference(batch);
                    NDArray logits = network.forward(features, context);
                    lossSum += BatchObjective.crossEntropy(logits, labels).getFloat() * indices.length;
                    correct += logits.argMax(1).eq(labels).sum().getLong();
                }
            }
        }
        return new double[] {lossSum / data.size(), (double) correct / data.size()};
    }

    /**
     * Computes the logits of every example, in inference mode and without gradients.
     * @param network The network.
     * @param data The data (its labels are not used).
     * @return {@code [N][outputs]}: the logits of each example.
     */
    public static float[][] logits(Network network, TensorDataset data) {
        float[][] out = new float[data.size()][];
        try (GradientMode ignored = GradientMode.disabled()) {
            for (int from = 0; from < data.size(); from += BATCH_SIZE) {
                int[] indices = range(from, Math.min(data.size(), from + BATCH_SIZE));
                try (NDManager batch = network.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray logits = network.forward(data.features(batch, indices), ForwardContext.inference(batch));
                    int width = Math.toIntExact(logits.getShape().get(1));
                    float[] values = logits.toFloatArray();
                    for (int j = 0; j < indices.length; j++) {
                        out[from + j] = Arrays.copyOfRange(values, j * width, (j + 1) * width);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The integers {@code from, ..., to - 1}.
     * @param from The first.
     * @param to One past the last.
     * @return The range.
     */
    public static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
