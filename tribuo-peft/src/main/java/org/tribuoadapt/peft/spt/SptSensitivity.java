package org.tribuoadapt.peft.spt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.PeftNetwork;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SPT's parameter sensitivity (He et al. 2023, section 3.1): the first-order Taylor estimate of the loss change when a
 * weight takes one gradient step, {@code s_n = g_n^2}, summed over a few batches of task data, computed once before
 * tuning (the authors' {@code get_sensitivity} adds {@code grad ** 2} over {@code sensitivity_batch_num} batches). The
 * gradients are taken through an adapter whose differences start at zero, so they are the gradients of the base
 * weights, with the adapter's new head (if any) in place, as the authors compute it on the model with its new head.
 */
final class SptSensitivity {

    /** The name of every targeted layer's weight difference. */
    static final String WEIGHT_DELTA = "sft_delta.weight";

    private SptSensitivity() {}

    /**
     * Sums the squared gradients of the cross-entropy over the given batches.
     * @param peft The network, with {@code probe} active and trainable: an adapter of zero differences with all-one
     * masks on the layers to score.
     * @param probe The adapter's name.
     * @param data The task data.
     * @param batches The examples of each batch.
     * @return Each targeted layer's sensitivity, in its weight's row-major order, by layer path.
     * @throws IllegalArgumentException if there are no batches or a loss is not finite.
     */
    static Map<String, float[]> of(PeftNetwork peft, String probe, TensorDataset data, List<int[]> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("SPT's sensitivity needs at least one batch of task data");
        }
        Map<String, Parameter> deltas = new LinkedHashMap<>();
        Map<String, float[]> sums = new LinkedHashMap<>();
        for (Map.Entry<String, AdapterModule> e : peft.modules(probe).entrySet()) {
            Parameter delta = e.getValue().peftTensors().get(WEIGHT_DELTA);
            deltas.put(e.getKey(), delta);
            sums.put(e.getKey(), new float[Math.toIntExact(delta.size())]);
        }
        BatchObjective objective = BatchObjective.crossEntropy();
        for (int[] indices : batches) {
            try (NDManager batch = peft.network().manager().newSubManager(); NDScope ignored = new NDScope()) {
                NDArray features = data.features(batch, indices);
                NDArray labels = data.labels(batch, indices);
                ForwardContext context = ForwardContext.training(batch);
                NDArray inputs = objective.prepareInputs(peft.network(), features, labels, context);
                try (GradientMode recording = GradientMode.enabled()) {
                    NDArray loss = objective.loss(peft.network(), inputs, labels, context);
                    if (!Float.isFinite(loss.getFloat())) {
                        throw new IllegalArgumentException("the loss on a sensitivity batch is " + loss.getFloat());
                    }
                    GradientMode.backward(loss);
                }
                for (Map.Entry<String, Parameter> e : deltas.entrySet()) {
                    float[] gradient = e.getValue().array().getGradient().toFloatArray();
                    float[] sum = sums.get(e.getKey());
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += gradient[i] * gradient[i];
                    }
                    GradientMode.zeroGradient(e.getValue().array());
                }
            }
        }
        return sums;
    }
}
