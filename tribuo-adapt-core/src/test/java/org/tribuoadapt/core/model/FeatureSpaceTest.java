package org.tribuoadapt.core.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prediction and evaluation refuse dense data whose features are not the model's, naming both sides, and keep
 * Tribuo's convention for sparse data; values a float32 network cannot read are refused with the example named.
 */
public class FeatureSpaceTest {

    private static NetworkModel model;

    @BeforeAll
    public static void train() {
        // 8x8 images: features px00 ... px63
        model = new NetworkTrainer(NetworkTrainerTest.mlp(), new AdamOptimiserFactory(0.01), 1, 32, 1L)
                .train(SyntheticImages.dataset(60, 3, 8, 1));
    }

    @Test
    public void smallerImagesAreRefusedByPredictionAndEvaluation() {
        // 4x4 images: features px00 ... px15, all of them names the 8x8 model knows
        MutableDataset<Label> small = SyntheticImages.dataset(30, 3, 4, 2);
        IllegalArgumentException predict = assertThrows(IllegalArgumentException.class, () -> model.predict(small));
        String message = predict.getMessage();
        assertTrue(message.contains("the data has 16 features (px00, px01, ... px15), the model 64 (px00, px01, ... px63)"),
                message);
        assertTrue(message.contains("48 of the model's features never occur in the data (px16, px17, ... px63)"), message);
        IllegalArgumentException evaluate = assertThrows(IllegalArgumentException.class,
                () -> new LabelEvaluator().evaluate(model, small));
        assertEquals(message, evaluate.getMessage());
    }

    @Test
    public void denseDataWithOtherNamesIsRefused() {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> renamed = new MutableDataset<>(new SimpleDataSourceProvenance("renamed", factory), factory);
        String[] names = SyntheticImages.featureNames(64);
        names[5] = "pixel-5";
        double[] values = new double[64];
        Arrays.fill(values, 0.5);
        renamed.add(new ArrayExample<>(new Label("c0"), names, values));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(renamed));
        assertTrue(e.getMessage().contains("1 of the model's features never occur in the data (px05)"), e.getMessage());
        assertTrue(e.getMessage().contains("1 of the data's features are unknown to the model (pixel-5)"), e.getMessage());
    }

    @Test
    public void matchingAndSparseDataArePredicted() {
        assertEquals(30, model.predict(SyntheticImages.dataset(30, 3, 8, 3)).size());
        // sparse: each example carries a different few of the model's features; absent features read as zero
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> sparse = new MutableDataset<>(new SimpleDataSourceProvenance("sparse", factory), factory);
        String[] names = SyntheticImages.featureNames(64);
        for (int i = 0; i < 4; i++) {
            sparse.add(new ArrayExample<>(new Label("c0"), new String[] {names[i], names[i + 10]}, new double[] {1, 1}));
        }
        assertEquals(4, model.predict(sparse).size());
    }

    @Test
    public void valuesBeyondFloat32AreRefusedInTrainingAndPrediction() {
        MutableDataset<Label> data = SyntheticImages.dataset(20, 3, 8, 4);
        String[] names = SyntheticImages.featureNames(64);
        double[] values = new double[64];
        values[7] = 1e308; // finite as a double, infinite as a float
        data.add(new ArrayExample<>(new Label("c1"), names, values));
        IllegalArgumentException training = assertThrows(IllegalArgumentException.class, () ->
                new NetworkTrainer(NetworkTrainerTest.mlp(), new AdamOptimiserFactory(0.01), 1, 8, 1L).train(data));
        assertTrue(training.getMessage().contains("example 20 has the value 1.0E308 for feature 'px07', beyond the "
                + "float32 range"), training.getMessage());
        IllegalArgumentException prediction = assertThrows(IllegalArgumentException.class,
                () -> model.predict(data.getExample(20)));
        assertTrue(prediction.getMessage().contains("1.0E308 for feature 'px07'"), prediction.getMessage());
        values[7] = Double.NaN;
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> model.predict(new ArrayExample<>(new Label("c1"), names, values)));
        assertTrue(nan.getMessage().contains("the value NaN for feature 'px07', which is not a finite number"), nan.getMessage());
    }
}
