package org.tribuoadapt.tta.method;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;

/**
 * The checks methods make on a model before they start, each failing with a message that names the requirement.
 */
public final class MethodRequirements {

    private MethodRequirements() {}

    /**
     * Requires a network model.
     * @param model The model.
     * @param method The method's name.
     * @return The model as a network model.
     * @throws IllegalArgumentException if it is another kind of model.
     */
    public static NetworkModel network(Model<Label> model, String method) {
        if (!(model instanceof NetworkModel)) {
            throw new IllegalArgumentException(method + " adapts a network and needs a NetworkModel, but the model is a "
                    + model.getClass().getSimpleName());
        }
        return (NetworkModel) model;
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
