package org.tribuoadapt.robust.attack;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.model.NetworkModel;

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
    DifferentiableClassifier newClassifier();

    /**
     * Whether this model can be differentiated (a composite of black-box models cannot).
     * @return True if {@link #newClassifier()} works.
     */
    default boolean isDifferentiable() {
        return true;
    }

    /**
     * Finds the differentiable view of a Tribuo model: a {@link NetworkModel} itself, or a model implementing this
     * interface.
     * @param model The model.
     * @return The view, or empty for a black-box model.
     */
    static Optional<DifferentiableModel> of(Model<Label> model) {
        if (model instanceof NetworkModel) {
            NetworkModel network = (NetworkModel) model;
            return Optional.of(new DifferentiableModel() {
                @Override
                public FeatureTensorizer tensorizer() {
                    return new FeatureTensorizer(network.getFeatureIDMap(), network.spec().inputShape());
                }

                @Override
                public DifferentiableClassifier newClassifier() {
                    return NetworkClassifier.of(network);
                }
            });
        }
        if (model instanceof DifferentiableModel && ((DifferentiableModel) model).isDifferentiable()) {
            return Optional.of((DifferentiableModel) model);
        }
        return Optional.empty();
    }
}
