package org.tribuoadapt.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureSpaceCheck;
import org.tribuoadapt.core.bridge.FeatureTensorizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Batched classification with a network: examples are tensorized in batches, each batch's logits are computed in its
 * own native-memory scope, and the softmax probabilities become Tribuo {@link Prediction}s carrying a score for every
 * label. Every network-backed {@code Model<Label>} predicts through this.
 */
public final class LabelPredictions {

    private LabelPredictions() {}

    /**
     * Predicts examples batch by batch.
     * @param examples The examples.
     * @param batchSize The number of examples per batch.
     * @param tensorizer Turns examples into the network's input.
     * @param memory The manager each batch's memory is a sub-manager of (the network's).
     * @param logits Computes logits {@code [N, classes]} (columns in label-id order) from an input batch, without
     * gradients.
     * @param outputs The labels.
     * @param features The features (to count the features each example uses).
     * @return One prediction per example, in order.
     * @throws IllegalArgumentException if {@code examples} is a dense dataset whose features are not the model's
     * ({@link FeatureSpaceCheck}).
     */
    public static List<Prediction<Label>> predict(Iterable<Example<Label>> examples, int batchSize,
                                                  FeatureTensorizer tensorizer, NDManager memory,
                                                  UnaryOperator<NDArray> logits, ImmutableOutputInfo<Label> outputs,
                                                  ImmutableFeatureMap features) {
        if (examples instanceof Dataset<?> dataset) {
            FeatureSpaceCheck.requireMatch(features, dataset);
        }
        List<Prediction<Label>> out = new ArrayList<>();
        List<Example<Label>> batch = new ArrayList<>(batchSize);
        for (Example<Label> example : examples) {
            batch.add(example);
            if (batch.size() == batchSize) {
                out.addAll(predictBatch(batch, tensorizer, memory, logits, outputs, features));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            out.addAll(predictBatch(batch, tensorizer, memory, logits, outputs, features));
        }
        return out;
    }

    private static List<Prediction<Label>> predictBatch(List<Example<Label>> examples, FeatureTensorizer tensorizer,
                                                        NDManager memory, UnaryOperator<NDArray> logits,
                                                        ImmutableOutputInfo<Label> outputs, ImmutableFeatureMap features) {
        float[] probabilities;
        try (NDManager manager = memory.newSubManager(); NDScope ignored = new NDScope()) {
            NDArray input = tensorizer.toBatch(manager, examples);
            probabilities = logits.apply(input).softmax(1).toFloatArray();
        }
        return fromProbabilities(probabilities, examples, outputs, features);
    }

    /**
     * Turns rows of class probabilities into Tribuo predictions with a score for every label; the top label is the
     * first with the highest probability.
     * @param probabilities One row per example, columns in label-id order.
     * @param examples The examples, in row order.
     * @param outputs The labels.
     * @param features The features (to count the features each example uses).
     * @return One prediction per example.
     */
    public static List<Prediction<Label>> fromProbabilities(float[] probabilities, List<Example<Label>> examples,
                                                            ImmutableOutputInfo<Label> outputs, ImmutableFeatureMap features) {
        int classes = outputs.size();
        List<Prediction<Label>> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            Map<String, Label> scores = new LinkedHashMap<>();
            int best = 0;
            for (int c = 0; c < classes; c++) {
                double p = probabilities[i * classes + c];
                Label label = outputs.getOutput(c);
                scores.put(label.getLabel(), new Label(label.getLabel(), p));
                if (p > probabilities[i * classes + best]) {
                    best = c;
                }
            }
            Example<Label> example = examples.get(i);
            int used = 0;
            for (Feature f : example) {
                if (features.getID(f.getName()) >= 0) {
                    used++;
                }
            }
            Label top = outputs.getOutput(best);
            out.add(new Prediction<>(new Label(top.getLabel(), probabilities[i * classes + best]), scores, used, example, true));
        }
        return out;
    }
}
