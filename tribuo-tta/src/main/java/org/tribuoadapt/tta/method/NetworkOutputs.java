package org.tribuoadapt.tta.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;

/**
 * Inference on a network owned by a session (possibly with {@link TestTimeBatchNorm} layers in it): softmax
 * probabilities, and as features the input of a named layer, captured with a core {@code LayerObserver}.
 */
public final class NetworkOutputs implements ModelOutputs {

    private final Network network;
    private final String featureLayer;
    private final int numClasses;

    /**
     * Takes ownership of a network.
     * @param network The network; closed with this object.
     * @param featureLayer The layer whose input is the feature vector, or null if features are never asked for.
     */
    public NetworkOutputs(Network network, String featureLayer) {
        this.network = network;
        this.featureLayer = featureLayer;
        this.numClasses = Math.toIntExact(network.outputShape().get(0));
        if (featureLayer != null) {
            network.layer(featureLayer);
        }
    }

    /**
     * The network.
     * @return The network.
     */
    Network network() {
        return network;
    }

    @Override
    public Outputs run(float[] inputs, int n, boolean withFeatures) {
        try (NDManager batch = network.manager().newSubManager(); NDScope ignored = new NDScope();
             GradientMode noGrad = GradientMode.disabled()) {
            NDArray[] captured = new NDArray[1];
            ForwardContext context = ForwardContext.inference(batch);
            if (withFeatures) {
                context = context.withObserver((layer, in, out) -> {
                    if (layer.path().equals(featureLayer)) {
                        captured[0] = in;
                    }
                });
            }
            NDArray logits = network.forward(NetworkInputs.batch(batch, network, inputs, n), context);
            float[] probabilities = logits.softmax(1).toFloatArray();
            if (!withFeatures) {
                return new Outputs(probabilities, null, 0);
            }
            NDArray features = captured[0].reshape(n, -1);
            return new Outputs(probabilities, features.toFloatArray(), Math.toIntExact(features.getShape().get(1)));
        }
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public void close() {
        network.close();
    }
}
