package org.tribuoadapt.core.model;

import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.TensorData;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps a pre-trained representation and gives it a freshly initialised output layer of another width: what
 * contrastive pre-training (the projection head is discarded) and rich feature construction (the synthesis heads are
 * discarded) hand to a later supervised run.
 */
public final class FreshHead {

    private FreshHead() {}

    /**
     * Builds {@code spec} with {@code outputs} outputs from {@code seed}, loads every pre-trained tensor outside the
     * head layer, and returns the weights.
     * @param spec The architecture.
     * @param pretrained The pre-trained tensors (PyTorch names), of the same architecture with any head width.
     * @param headLayer The name of the output layer to draw afresh.
     * @param outputs The new head's width.
     * @param seed The seed of the new head (and of nothing else, since every other tensor is loaded).
     * @return The weights, as safetensors bytes.
     */
    public static byte[] replace(NetworkSpec spec, Map<String, TensorData> pretrained, String headLayer, int outputs,
                                 long seed) {
        try (Network net = spec.build(outputs, seed)) {
            net.layer(headLayer);
            Map<String, TensorData> body = new LinkedHashMap<>();
            for (Map.Entry<String, TensorData> e : pretrained.entrySet()) {
                if (!e.getKey().startsWith(headLayer + ".")) {
                    body.put(e.getKey(), e.getValue());
                }
            }
            net.loadStateDict(body, false);
            return NetworkModel.weightsOf(net);
        }
    }
}
