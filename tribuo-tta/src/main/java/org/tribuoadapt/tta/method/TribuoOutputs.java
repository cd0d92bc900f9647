package org.tribuoadapt.tta.method;

import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Predictions of any Tribuo classification model through its ordinary {@code predict} API; the examples carry no
 * label (the unknown label), and the features returned are the inputs themselves.
 */
final class TribuoOutputs implements ModelOutputs {

    private final Model<Label> model;
    private final String[] featureNames;
    private final String[] labelNames;

    /**
     * Wraps a model.
     * @param model The model.
     */
    TribuoOutputs(Model<Label> model) {
        this.model = model;
        ImmutableFeatureMap features = model.getFeatureIDMap();
        this.featureNames = new String[features.size()];
        for (int i = 0; i < featureNames.length; i++) {
            featureNames[i] = features.get(i).getName();
        }
        ImmutableOutputInfo<Label> labels = model.getOutputIDInfo();
        this.labelNames = new String[labels.size()];
        for (int c = 0; c < labelNames.length; c++) {
            labelNames[c] = labels.getOutput(c).getLabel();
        }
    }

    @Override
    public Outputs run(float[] inputs, int n, boolean withFeatures) {
        int width = featureNames.length;
        if (inputs.length != n * width) {
            throw new IllegalArgumentException("a batch of " + n + " examples of " + width + " features needs "
                    + n * width + " values, found " + inputs.length);
        }
        List<Example<Label>> examples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] values = new double[width];
            for (int j = 0; j < width; j++) {
                values[j] = inputs[i * width + j];
            }
            examples.add(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, featureNames, values));
        }
        List<Prediction<Label>> predictions = model.predict(examples);
        float[] probabilities = new float[n * labelNames.length];
        for (int i = 0; i < n; i++) {
            Map<String, Label> scores = predictions.get(i).getOutputScores();
            for (int c = 0; c < labelNames.length; c++) {
                Label score = scores.get(labelNames[c]);
                probabilities[i * labelNames.length + c] = score == null ? 0f : (float) score.getScore();
            }
        }
        return new Outputs(probabilities, withFeatures ? inputs.clone() : null, withFeatures ? width : 0);
    }

    @Override
    public int numClasses() {
        return labelNames.length;
    }

    @Override
    public void close() {
        // nothing native is held
    }
}
