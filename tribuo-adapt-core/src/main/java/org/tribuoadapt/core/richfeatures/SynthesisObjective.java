package org.tribuoadapt.core.richfeatures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.train.BatchObjective;

/**
 * The loss of Bonsai's synthesis episode (Zhang, Lopez-Paz and Bottou 2022, "Rich Feature Construction for the
 * Optimization-Generalization Dilemma", ICML): one network with {@code K} heads of {@code C} logits each (its output
 * layer has {@code K * C} units, head {@code k} being units {@code k*C .. k*C + C - 1}) learns, on one shared
 * representation, to predict what each of the {@code K} discovered networks predicts. Head {@code k}'s target is
 * discovery network {@code k}'s predicted class (its argmax, a pseudo-label, as in the authors' synthesis runs), and
 * the loss of an example is the mean over heads of the heads' cross-entropies. Examples are weighted so that every
 * cell of the discovery partitions carries the same weight ({@link DiscoveryGroups#balancedWeights()}, the authors'
 * "balance" grouping), normalised over the batch: rare combinations of features count as much as common ones.
 * <p>
 * The label column of a batch must hold the examples' ids.
 */
public final class SynthesisObjective {

    private final int[][] pseudoLabels;
    private final double[] exampleWeights;
    private final int classes;

    /**
     * Creates the objective.
     * @param pseudoLabels {@code [K][N]}: the class discovery network {@code k} predicts for example {@code i}.
     * @param exampleWeights One positive weight per example.
     * @param classes The number of classes {@code C} per head.
     */
    public SynthesisObjective(int[][] pseudoLabels, double[] exampleWeights, int classes) {
        if (pseudoLabels.length == 0) {
            throw new IllegalArgumentException("synthesis needs at least one discovered network");
        }
        for (int[] head : pseudoLabels) {
            if (head.length != exampleWeights.length) {
                throw new IllegalArgumentException("every head needs one pseudo-label per example ("
                        + exampleWeights.length + "), found " + head.length);
            }
        }
        this.pseudoLabels = pseudoLabels;
        this.exampleWeights = exampleWeights.clone();
        this.classes = classes;
    }

    /**
     * The number of heads {@code K}.
     * @return The heads.
     */
    public int heads() {
        return pseudoLabels.length;
    }

    /**
     * The batch objective.
     * @return The objective.
     */
    public BatchObjective objective() {
        int heads = pseudoLabels.length;
        return (network, features, idArray, context) -> {
            int[] ids = idArray.toType(DataType.INT32, false).toIntArray();
            long[] targets = new long[ids.length * heads];
            float[] weights = new float[ids.length];
            double total = 0;
            for (int j = 0; j < ids.length; j++) {
                total += exampleWeights[ids[j]];
            }
            for (int j = 0; j < ids.length; j++) {
                for (int k = 0; k < heads; k++) {
                    targets[j * heads + k] = pseudoLabels[k][ids[j]];
                }
                weights[j] = (float) (exampleWeights[ids[j]] / total / heads);
            }
            NDArray logits = network.forward(features, context);
            if (logits.getShape().get(1) != (long) heads * classes) {
                throw new IllegalStateException("the synthesis network has " + logits.getShape().get(1)
                        + " outputs, expected " + heads + " heads of " + classes + " classes");
            }
            NDArray target = context.manager().create(targets, new Shape(ids.length, heads, 1));
            NDArray losses = logits.reshape(ids.length, heads, classes).logSoftmax(2).gather(target, 2)
                    .reshape(ids.length, heads).neg().sum(new int[] {1});
            return losses.mul(context.manager().create(weights)).sum();
        };
    }
}
