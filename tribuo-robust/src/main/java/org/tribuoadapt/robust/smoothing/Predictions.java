package org.tribuoadapt.robust.smoothing;

import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns rows of class probabilities into Tribuo predictions with a score for every label.
 */
final class Predictions {

    private Predictions() {}

    /**
     * Builds predictions.
     * @param probabilities Row-major probabilities, {@code examples.size() * outputInfo.size()} of them, columns in
     * label-id order.
     * @param outputInfo The labels.
     * @param featureMap The model's features, to count the features each example used.
     * @param examples The examples.
     * @return One prediction per example, the most probable label first.
     */
    static List<Prediction<Label>> of(float[] probabilities, ImmutableOutputInfo<Label> outputInfo,
                                      ImmutableFeatureMap featureMap, List<? extends Example<Label>> examples) {
        int classes = outputInfo.size();
        List<Prediction<Label>> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Map<String, Label> scores = new LinkedHashMap<>();
            int best = 0;
            for (int c = 0; c < classes; c++) {
                double p = probabilities[i * classes + c];
                String name = outputInfo.getOutput(c).getLabel();
                scores.put(name, new Label(name, p));
                if (p > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            Example<Label> example = examples.get(i);
            int used = 0;
            for (Feature f : example) {
                if (featureMap.getID(f.getName()) >= 0) {
                    used++;
                }
            }
            Label top = outputInfo.getOutput(best);
            out.add(new Prediction<>(new Label(top.getLabel(), probabilities[i * classes + best]), scores, used, example, true));
        }
        return out;
    }
}
