package org.tribuoadapt.robust.weightspace;

import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ModelSoupTest {

    static MLPSpec mlp() {
        return new MLPSpec(64, new int[] {12}, Activation.RELU, 0.0);
    }

    /** Fine-tunes of one start with different learning rates, as soups are made of (Wortsman et al. 2022). */
    static synchronized List<NetworkModel> ingredients() {
        NetworkModel start = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 2, 32, 1L).train(RobustFixtures.train());
        List<NetworkModel> out = new ArrayList<>();
        for (double lr : new double[] {0.001, 0.003, 0.03}) {
            out.add(new NetworkTrainer(mlp(), new AdamOptimiserFactory(lr), 1, 32, 2L)
                    .fineTune(RobustFixtures.train(), start, Map.of()));
        }
        out.add(start);
        return out;
    }

    private static double accuracy(NetworkModel model) {
        try (Network network = model.newNetwork()) {
            return Evaluation.lossAndAccuracy(network, TensorDataset.from(RobustFixtures.test(),
                    new FeatureTensorizer(model.getFeatureIDMap(), model.spec().inputShape()), model.getOutputIDInfo()))[1];
        }
    }

    @Test
    public void uniformSoupOfIdenticalModelsIsTheModel() {
        NetworkModel model = RobustFixtures.standard();
        NetworkModel soup = ModelSoup.uniform(List.of(model, model, model));
        assertArrayEquals(model.weightBytes(), soup.weightBytes());
        Helpers.testModelProtoSerialization(soup, Label.class, RobustFixtures.test());
    }

    @Test
    public void uniformSoupIsTheMeanAndNamesItsIngredients() {
        List<NetworkModel> ingredients = ingredients();
        NetworkModel soup = ModelSoup.uniform(ingredients);
        float[] mean = soup.stateDict().get("fc1.weight").toFloatArray();
        for (int i : new int[] {0, 17, 300}) {
            double expected = 0;
            for (NetworkModel m : ingredients) {
                expected += m.stateDict().get("fc1.weight").toFloatArray()[i];
            }
            assertEquals(expected / ingredients.size(), mean[i], 1e-6);
        }
        Map<String, ?> instance = soup.getProvenance().getInstanceProvenance().getMap();
        assertEquals("uniform", instance.get(ModelSoup.METHOD).toString());
        for (int i = 0; i < ingredients.size(); i++) {
            assertEquals(ingredients.get(i).getProvenance(), instance.get(ModelSoup.INGREDIENT + i));
        }
        Helpers.testProvenanceMarshalling(soup.getProvenance());
    }

    @Test
    public void greedySoupIsNeverWorseThanItsBestIngredient() {
        List<NetworkModel> ingredients = ingredients();
        NetworkModel soup = ModelSoup.greedy(ingredients, RobustFixtures.test());
        double best = 0;
        for (NetworkModel m : ingredients) {
            best = Math.max(best, accuracy(m));
        }
        double soupAccuracy = accuracy(soup);
        assertTrue(soupAccuracy >= best, "greedy soup accuracy " + soupAccuracy + " below the best ingredient's " + best);
        assertEquals(Double.parseDouble(soup.getProvenance().getInstanceProvenance().getMap()
                .get(ModelSoup.HELD_OUT_ACCURACY).toString()), soupAccuracy, 1e-12);
        Helpers.testModelProtoSerialization(soup, Label.class, RobustFixtures.test());
    }

    @Test
    public void soupsNeedOneArchitecture() {
        NetworkModel wider = new NetworkTrainer(new MLPSpec(64, new int[] {20}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 1, 32, 1L).train(RobustFixtures.train());
        NetworkModel narrow = new NetworkTrainer(mlp(), new AdamOptimiserFactory(0.01), 1, 32, 1L).train(RobustFixtures.train());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSoup.uniform(List.of(narrow, wider)));
        assertTrue(e.getMessage().contains("soup ingredient 1 has architecture MLPSpec") && e.getMessage().contains("one architecture"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSoup.greedy(List.of(narrow, RobustFixtures.standard()),
                RobustFixtures.test()));
        assertThrows(IllegalArgumentException.class, () -> ModelSoup.uniform(List.of()));
    }
}
