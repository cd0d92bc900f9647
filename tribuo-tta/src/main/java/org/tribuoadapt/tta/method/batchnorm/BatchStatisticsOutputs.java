package org.tribuoadapt.tta.method.batchnorm;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.tta.method.MethodRequirements;
import org.tribuoadapt.tta.method.NetworkOutputs;
import org.tribuoadapt.tta.method.NormLayers;
import org.tribuoadapt.tta.method.TestTimeBatchNorm;

/**
 * Builds the outputs of a private network copy whose BatchNorm layers mix source and test-batch statistics
 * ({@link TestTimeBatchNorm}); BN-adapt and alpha-BN share it.
 */
final class BatchStatisticsOutputs {

    private BatchStatisticsOutputs() {}

    /**
     * Copies the model's network and switches its BatchNorm layers to test statistics.
     * @param model The model; it must be a network model with BatchNorm layers.
     * @param alpha The weight of the test-batch statistics.
     * @param method The method's name, for errors.
     * @return The outputs; the caller closes them.
     */
    static NetworkOutputs create(Model<Label> model, double alpha, String method) {
        Network network = MethodRequirements.newNetwork(model, method);
        try {
            NormLayers.requireBatchNorm(network, method);
            NormLayers.useBatchStatistics(network, alpha);
            return new NetworkOutputs(network, null);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }
}
