package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.types.Shape;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;
import org.tribuoadapt.core.bridge.FeatureTensorizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Score queries to a black-box classifier: dense images are turned back into examples in the model's feature space,
 * sent through {@code model.predict}, and the predicted probabilities come back as rows in the model's label-id
 * order. Every image sent is one query, and the queries are counted. The score-based methods that see a model only
 * through its probabilities share this: the Square attack (Andriushchenko et al. 2020) and BlackVIP's coordinator
 * training (Oh et al. 2023).
 */
public final class ProbabilityQueries {

    private final Model<Label> model;
    private final FeatureTensorizer tensorizer;
    private final String[] names;
    private final AtomicLong queries = new AtomicLong();

    /**
     * Prepares queries to a model that reads {@code channels x height x width} images.
     * @param model The queried model.
     * @param method What queries it, for messages (for example {@code "the Square attack"}).
     * @param channels The image channels.
     * @param height The image height.
     * @param width The image width.
     * @throws IllegalArgumentException if the model predicts no probabilities or its features are not such images.
     */
    public ProbabilityQueries(Model<Label> model, String method, int channels, int height, int width) {
        if (!model.generatesProbabilities()) {
            throw new IllegalArgumentException(method + " needs a model that predicts probabilities, but "
                    + model.getName() + " (" + model.getClass().getSimpleName() + ") does not");
        }
        try {
            this.tensorizer = new FeatureTensorizer(model.getFeatureIDMap(), new Shape(channels, height, width));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(method + " is configured for " + channels + "x" + height + "x" + width
                    + " images: " + e.getMessage(), e);
        }
        this.model = model;
        this.names = featureNames(model.getFeatureIDMap());
    }

    /**
     * The queried model.
     * @return The model.
     */
    public Model<Label> model() {
        return model;
    }

    /**
     * Densifies examples in the model's feature order.
     * @return The tensorizer.
     */
    public FeatureTensorizer tensorizer() {
        return tensorizer;
    }

    /**
     * The values of one image.
     * @return {@code channels * height * width}.
     */
    public int imageSize() {
        return tensorizer.width();
    }

    /**
     * The number of classes, the width of a probability row.
     * @return The class count.
     */
    public int classes() {
        return model.getOutputIDInfo().size();
    }

    /**
     * Queries the model once per image.
     * @param images The images, one after the other ({@code outputs.size()} of them; the array may be longer).
     * @param outputs The label each query example carries (the model does not read it).
     * @return The predicted probabilities, one row of {@link #classes()} per image, in the model's label-id order.
     */
    public double[] probabilities(float[] images, List<Label> outputs) {
        int size = imageSize();
        List<Example<Label>> batch = new ArrayList<>(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            batch.add(example(outputs.get(i), images, i * size));
        }
        queries.addAndGet(batch.size());
        List<Prediction<Label>> predictions = model.predict(batch);
        ImmutableOutputInfo<Label> info = model.getOutputIDInfo();
        int classes = info.size();
        double[] out = new double[outputs.size() * classes];
        for (int i = 0; i < predictions.size(); i++) {
            Map<String, Label> scores = predictions.get(i).getOutputScores();
            for (int c = 0; c < classes; c++) {
                out[i * classes + c] = scores.get(info.getOutput(c).getLabel()).getScore();
            }
        }
        return out;
    }

    /**
     * The images queried so far.
     * @return The query count.
     */
    public long queries() {
        return queries.get();
    }

    /**
     * A dense example in the model's feature space.
     * @param label The example's label.
     * @param values The images.
     * @param offset Where this image's first value is.
     * @return The example.
     */
    public Example<Label> example(Label label, float[] values, int offset) {
        double[] dense = new double[imageSize()];
        for (int i = 0; i < dense.length; i++) {
            dense[i] = values[offset + i];
        }
        return new ArrayExample<>(label, names, dense);
    }

    /**
     * The label id of each example in the model's label order.
     * @param examples The examples.
     * @return The ids.
     * @throws IllegalArgumentException naming an example whose label the model does not know.
     */
    public int[] labelIds(List<? extends Example<Label>> examples) {
        ImmutableOutputInfo<Label> info = model.getOutputIDInfo();
        int[] out = new int[examples.size()];
        for (int i = 0; i < out.length; i++) {
            int id = info.getID(examples.get(i).getOutput());
            if (id < 0) {
                throw new IllegalArgumentException("example " + i + " has label '" + examples.get(i).getOutput().getLabel()
                        + "', which the model does not know; its labels are " + info.getDomain());
            }
            out[i] = id;
        }
        return out;
    }

    private static String[] featureNames(ImmutableFeatureMap map) {
        String[] names = new String[map.size()];
        for (int id = 0; id < names.length; id++) {
            names[id] = map.get(id).getName();
        }
        return names;
    }
}
