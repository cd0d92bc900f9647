package org.tribuoadapt.tta.method;

import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.AbstractNetworkModel;
import org.tribuoadapt.core.model.LogitNetwork;

/**
 * The outputs that output-level methods (Source, LAME, label-shift EM) read from a model: class probabilities and,
 * when asked, features. A model that holds one network ({@link AbstractNetworkModel}: a plain network, or one with
 * unmerged adapters) runs a private copy of it, and its features are the input of a named layer (by default
 * {@code head}, i.e. the penultimate features). Any other Tribuo model, a mixture of networks included, is asked for
 * predictions through its ordinary API, and its features are its input features.
 */
public interface ModelOutputs extends AutoCloseable {

    /**
     * Probabilities and, optionally, features of one batch.
     * @param probabilities {@code n * numClasses} values in label-id order.
     * @param features {@code n * featureWidth} values, or null when not asked for.
     * @param featureWidth The number of features per example (0 without features).
     */
    record Outputs(float[] probabilities, float[] features, int featureWidth) {}

    /**
     * Runs the model on a batch.
     * @param inputs {@code n * width} input values in the model's feature order.
     * @param n The number of examples.
     * @param withFeatures Whether to return features as well.
     * @return The outputs.
     */
    Outputs run(float[] inputs, int n, boolean withFeatures);

    /**
     * Runs the model on many examples, {@code batchSize} at a time, with features.
     * @param inputs {@code n * width} input values in the model's feature order.
     * @param n The number of examples.
     * @param batchSize The most examples per forward pass.
     * @return The probabilities and features of all examples, in order.
     */
    default Outputs runInBatches(float[] inputs, int n, int batchSize) {
        if (n < 1 || inputs.length % n != 0) {
            throw new IllegalArgumentException(inputs.length + " input values are not " + n + " examples");
        }
        int width = inputs.length / n;
        float[] probabilities = new float[n * numClasses()];
        float[] features = null;
        int featureWidth = 0;
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            float[] batch = new float[count * width];
            System.arraycopy(inputs, from * width, batch, 0, batch.length);
            Outputs out = run(batch, count, true);
            if (features == null) {
                featureWidth = out.featureWidth();
                features = new float[n * featureWidth];
            }
            System.arraycopy(out.probabilities(), 0, probabilities, from * numClasses(), count * numClasses());
            System.arraycopy(out.features(), 0, features, from * featureWidth, count * featureWidth);
        }
        return new Outputs(probabilities, features, featureWidth);
    }

    /**
     * The number of classes.
     * @return The label count.
     */
    int numClasses();

    @Override
    void close();

    /**
     * The outputs of any model.
     * @param model The model.
     * @param featureLayer For network models, the layer whose input is the feature vector.
     * @return The outputs; the caller closes them.
     */
    static ModelOutputs of(Model<Label> model, String featureLayer) {
        if (model instanceof AbstractNetworkModel network) {
            LogitNetwork computation = network.newLogitNetwork();
            if (computation.networks().size() == 1) {
                return new NetworkOutputs(computation.networks().get(0), featureLayer);
            }
            computation.close();
        }
        return new TribuoOutputs(model);
    }
}
