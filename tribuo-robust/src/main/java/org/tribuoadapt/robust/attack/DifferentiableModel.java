package org.tribuoadapt.robust.attack;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;

import java.util.Optional;

/**
 * A Tribuo model that white-box attacks can differentiate through: it lays its inputs out as dense tensors and
 * builds private differentiable copies of itself.
 */
public interface DifferentiableModel {

    /**
     * The dense input layout of the model's classifier.
     * @return The tensorizer.
     */
    FeatureTensorizer tensorizer();

    /**
     * Builds a new, private differentiable copy of the model; the caller closes it.
     * @return The classifier, scores in the model's label-id order.
     */
    LogitNetwork newClassifier();

    /**
     * Whether this model can be differentiated (a composite of black-box models cannot).
     * @return True if {@link #newClassifier()} works.
     */
    default boolean isDifferentiable() {
        return true;
    }

    /**
     * Finds the differentiable view of a Tribuo model: any model that holds a network
     * ({@link AbstractNetworkModel}: a plain network, a network with unmerged adapters, a mixing network), or a model
     * implementing this interface.
     * @param model The model.
     * @return The view, or empty for a black-box model.
     */
    static Optional<DifferentiableModel> of(Model<Label> model) {
        if (model instanceof AbstractNetworkModel network) {
            return Optional.of(new DifferentiableModel() {
                @Override
                public FeatureTensorizer tensorizer() {
                    return network.tensorizer();
                }

                @Override
                public LogitNetwork newClassifier() {
                    return NetworkClassifier.of(network);
                }
            });
        }
        if (model instanceof DifferentiableModel differentiable && differentiable.isDifferentiable()) {
            return Optional.of(differentiable);
        }
        return Optional.empty();
    }
}
