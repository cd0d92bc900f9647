package org.tribuoadapt.core.train;

import ai.djl.ndarray.NDArray;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.TapeConstants;
import org.tribuoadapt.core.nn.layers.MixtureOfExperts;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cross-entropy plus a weighted load-balancing loss for networks with {@link MixtureOfExperts} layers, as WideNet
 * (Xue et al. 2022) and Switch Transformer (Fedus et al. 2022) train them: {@code CE + weight * sum_l aux_l}, where
 * the sum runs over every application of a mixture-of-experts layer in the forward pass (each of WideNet's layers
 * applies the shared one once) and {@code aux_l} is {@link MixtureOfExperts#loadBalancingLoss}. The losses are
 * collected by a layer observer during the ordinary forward pass, so the network needs no change.
 */
public final class LoadBalancingObjective implements TrainingObjective {

    @Config(description = "Weight of the load-balancing loss (Switch Transformer uses 0.01).")
    private double weight = 0.01;

    /** For OLCUT. */
    private LoadBalancingObjective() {}

    /**
     * Creates the objective.
     * @param weight The weight of the load-balancing loss, non-negative and finite.
     */
    public LoadBalancingObjective(double weight) {
        this.weight = weight;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new PropertyException("", "weight", "the load-balancing weight must be non-negative and finite, found " + weight);
        }
    }

    /** @return The weight of the load-balancing loss. */
    public double weight() {
        return weight;
    }

    @Override
    public BatchObjective newBatchObjective(SplittableRandom runRandom) {
        return (network, features, labels, context) -> {
            List<NDArray> balancing = new ArrayList<>();
            ForwardContext observed = context.withObserver((layer, input, output) -> {
                if (layer instanceof MixtureOfExperts moe) {
                    balancing.add(moe.loadBalancingLoss(input, context));
                }
            });
            NDArray crossEntropy = BatchObjective.crossEntropy(network.forward(features, observed), labels);
            if (balancing.isEmpty()) {
                throw new IllegalStateException("LoadBalancingObjective needs a network with a MixtureOfExperts layer "
                        + "(for example a WideNetSpec), but none ran in the forward pass");
            }
            NDArray total = balancing.get(0);
            for (int i = 1; i < balancing.size(); i++) {
                total = total.add(balancing.get(i));
            }
            return crossEntropy.add(TapeConstants.times(total, weight));
        };
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TrainingObjective");
    }

    @Override
    public String toString() {
        return "LoadBalancingObjective(weight=" + weight + ")";
    }
}
