package org.tribuoadapt.core.richfeatures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.train.BatchObjective;

import java.util.Arrays;
import java.util.List;

/**
 * Online group distributionally robust optimisation (Sagawa et al. 2020, "Distributionally Robust Neural Networks
 * for Group Shifts", ICLR, Algorithm 1), the robust criterion of Bonsai's discovery episodes (Zhang, Lopez-Paz and
 * Bottou 2022): the loss is {@code sum_g q_g L_g}, where {@code L_g} is the mean cross-entropy of the batch's
 * examples in group {@code g} and the group weights {@code q} follow exponentiated-gradient ascent on the group
 * losses, {@code q_g <- q_g exp(eta L_g)} for every group present in the batch, then normalised. The weights are
 * updated before the loss is formed (the weights are constants for the gradient), as in Sagawa et al.; a large step
 * size {@code eta} approaches the hard maximum over groups that Bonsai's Algorithm 1 writes.
 * <p>
 * Groups may overlap (each discovery round adds a partition), so an example's weight in the batch loss is the sum
 * of {@code q_g / n_g} over the groups it belongs to, {@code n_g} being the group's count in the batch. The state
 * belongs to one training run; examples are named by their position in the training data.
 */
public final class GroupDro {

    private final int[][] groupsOfExample;
    private final int[] trueLabels;
    private final double stepSize;
    private final double[] weights;

    /**
     * Creates the state of one run with uniform group weights.
     * @param groups The groups, each as the ids of its examples; none may be empty.
     * @param trueLabels The label id of every training example, indexed by example id.
     * @param stepSize The step size {@code eta} of the weight updates, above 0.
     */
    public GroupDro(List<int[]> groups, int[] trueLabels, double stepSize) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("group DRO needs at least one group");
        }
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new IllegalArgumentException("the group DRO step size must be finite and > 0, found " + stepSize);
        }
        this.trueLabels = trueLabels.clone();
        this.stepSize = stepSize;
        int[] counts = new int[trueLabels.length];
        for (int g = 0; g < groups.size(); g++) {
            if (groups.get(g).length == 0) {
                throw new IllegalArgumentException("group " + g + " is empty");
            }
            for (int id : groups.get(g)) {
                if (id < 0 || id >= trueLabels.length) {
                    throw new IllegalArgumentException("group " + g + " names example " + id + ", but there are "
                            + trueLabels.length + " examples");
                }
                counts[id]++;
            }
        }
        groupsOfExample = new int[trueLabels.length][];
        for (int i = 0; i < counts.length; i++) {
            groupsOfExample[i] = new int[counts[i]];
        }
        int[] filled = new int[trueLabels.length];
        for (int g = 0; g < groups.size(); g++) {
            for (int id : groups.get(g)) {
                groupsOfExample[id][filled[id]++] = g;
            }
        }
        weights = new double[groups.size()];
        Arrays.fill(weights, 1.0 / groups.size());
    }

    /**
     * One exponentiated-gradient step on the group weights: {@code q_g exp(eta L_g)} for the groups present, the
     * others unchanged, then normalised to sum to 1.
     * @param weights The current weights.
     * @param groupLosses The mean loss of each group in the batch (ignored where absent).
     * @param present Whether each group has an example in the batch.
     * @param stepSize The step size {@code eta}.
     * @return The new weights.
     */
    public static double[] nextWeights(double[] weights, double[] groupLosses, boolean[] present, double stepSize) {
        double[] out = new double[weights.length];
        double sum = 0;
        for (int g = 0; g < weights.length; g++) {
            out[g] = present[g] ? weights[g] * Math.exp(stepSize * groupLosses[g]) : weights[g];
            sum += out[g];
        }
        for (int g = 0; g < out.length; g++) {
            out[g] /= sum;
        }
        return out;
    }

    /**
     * Updates the group weights from a batch's per-example losses and returns each example's weight in the batch
     * loss, {@code sum over its groups g of q_g / n_g}.
     * @param exampleLosses The loss of every example of the batch.
     * @param ids The batch's example ids.
     * @return The example weights.
     */
    public double[] exampleWeights(double[] exampleLosses, int[] ids) {
        int groups = weights.length;
        double[] lossSums = new double[groups];
        int[] counts = new int[groups];
        for (int j = 0; j < ids.length; j++) {
            for (int g : groupsOfExample[ids[j]]) {
                lossSums[g] += exampleLosses[j];
                counts[g]++;
            }
        }
        boolean[] present = new boolean[groups];
        double[] means = new double[groups];
        for (int g = 0; g < groups; g++) {
            present[g] = counts[g] > 0;
            means[g] = present[g] ? lossSums[g] / counts[g] : 0;
        }
        System.arraycopy(nextWeights(weights, means, present, stepSize), 0, weights, 0, groups);
        double[] out = new double[ids.length];
        for (int j = 0; j < ids.length; j++) {
            for (int g : groupsOfExample[ids[j]]) {
                out[j] += weights[g] / counts[g];
            }
        }
        return out;
    }

    /**
     * The current group weights.
     * @return A copy of {@code q}.
     */
    public double[] weights() {
        return weights.clone();
    }

    /**
     * The batch objective of the run: its label column must hold the examples' ids, from which it looks up their
     * true labels and groups.
     * @return The objective.
     */
    public BatchObjective objective() {
        return (network, features, idArray, context) -> {
            int[] ids = idArray.toType(DataType.INT32, false).toIntArray();
            long[] labels = new long[ids.length];
            for (int j = 0; j < ids.length; j++) {
                labels[j] = trueLabels[ids[j]];
            }
            NDArray logits = network.forward(features, context);
            NDArray labelArray = context.manager().create(labels, new Shape(ids.length, 1));
            NDArray losses = logits.logSoftmax(1).gather(labelArray, 1).reshape(-1).neg();
            float[] values = losses.toFloatArray();
            double[] exampleLosses = new double[values.length];
            for (int j = 0; j < values.length; j++) {
                exampleLosses[j] = values[j];
            }
            double[] w = exampleWeights(exampleLosses, ids);
            float[] wf = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                wf[j] = (float) w[j];
            }
            return losses.mul(context.manager().create(wf)).sum();
        };
    }
}
