package org.tribuoadapt.tta.method;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;
import org.tribuoadapt.core.nn.Network;

import java.util.List;

/**
 * The checks methods make on a model before they start, each failing with a message that names the requirement.
 */
public final class MethodRequirements {

    private MethodRequirements() {}

    /**
     * Requires a model that holds a network: a plain network, or one with unmerged adapters.
     * @param model The model.
     * @param method The method's name.
     * @return The model as a network model.
     * @throws IllegalArgumentException if it holds no network.
     */
    public static AbstractNetworkModel network(Model<Label> model, String method) {
        return AbstractNetworkModel.require(model, method);
    }

    /**
     * A private copy of the one network a model computes with, for a method that changes its layers.
     * @param model The model.
     * @param method The method's name.
     * @return The network; the caller closes it.
     * @throws IllegalArgumentException if the model holds no network, or several (a mixture).
     */
    public static Network newNetwork(Model<Label> model, String method) {
        LogitNetwork computation = network(model, method).newLogitNetwork();
        List<Network> networks = computation.networks();
        if (networks.size() != 1) {
            computation.close();
            throw new IllegalArgumentException(method + " adapts one network, but '" + model.getName() + "' computes with "
                    + networks.size() + " (a mixture of networks)");
        }
        return networks.get(0);
    }

    /**
     * Requires a model that outputs probabilities.
     * @param model The model.
     * @param method The method's name.
     * @throws IllegalArgumentException if the model's scores are not probabilities.
     */
    public static void probabilities(Model<Label> model, String method) {
        if (!model.generatesProbabilities()) {
            throw new IllegalArgumentException(method + " needs a model that outputs probabilities, but the "
                    + model.getClass().getSimpleName() + " '" + model.getName() + "' does not "
                    + "(generatesProbabilities() is false)");
        }
    }
}
