package org.tribuoadapt.hpo.hypergradient;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hypergradient optimisers inside core's {@link NetworkTrainer}: the network learns, the learning-rate trajectory is
 * in the model's history and summarised in its provenance, the settings are in the trainer's provenance, and the
 * configuration round-trips.
 */
public class HypergradientTrainingTest {

    private static final int SIZE = 8;

    private static CNNSpec cnn() {
        return new CNNSpec(1, SIZE, SIZE, new int[] {4, 8}, true, 2, new int[] {16});
    }

    @Test
    public void adamHdTrainsACnnAndRecordsItsLearningRate() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 3, SIZE, TestSeeds.of(11));
        MutableDataset<Label> test = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(12));
        AdamHDOptimiserFactory factory = new AdamHDOptimiserFactory(1e-3, 1e-4, 1e-5, 0.05);
        NetworkTrainer trainer = new NetworkTrainer(cnn(), factory, 4, 32, TestSeeds.of(5));
        NetworkModel model = trainer.train(train);
        double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);

        double[] rates = model.history().orElseThrow().stepLearningRates();
        assertEquals(1e-3, rates[0], 0.0);
        assertNotEquals(rates[0], rates[rates.length - 1], "the learning rate adapted");
        for (double r : rates) {
            assertTrue(r >= 1e-5 && r <= 0.05, "rate " + r + " inside the clip");
        }
        Map<String, ? extends Provenance> instance = model.getProvenance().getInstanceProvenance().getMap();
        assertEquals(Double.toString(rates[rates.length - 1]), instance.get(NetworkProvenance.LEARNING_RATE_LAST).toString());

        ConfiguredObjectProvenance optimiser = (ConfiguredObjectProvenance)
                model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("optimiser");
        assertEquals(AdamHDOptimiserFactory.class.getName(), optimiser.getClassName());
        assertEquals("1.0E-4", optimiser.getConfiguredParameters().get("beta").toString());
        assertEquals("0.05", optimiser.getConfiguredParameters().get("maxLearningRate").toString());

        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testModelProtoSerialization(model, Label.class, test);
    }

    @Test
    public void sameSeedGivesTheSameTrajectory() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 13);
        SGDHDOptimiserFactory factory = new SGDHDOptimiserFactory(new HypergradientSettings(0.01, 1e-3, HypergradientRule.MULTIPLICATIVE, 1e-4, 0.5), new HypergradientSettings.Momentum(0.9, true));
        NetworkModel first = new NetworkTrainer(cnn(), factory, 2, 32, 9L).train(train);
        NetworkModel second = new NetworkTrainer(cnn(), factory, 2, 32, 9L).train(train);
        assertArrayEquals(first.history().orElseThrow().stepLearningRates(), second.history().orElseThrow().stepLearningRates(), 0.0);
        assertArrayEquals(first.weightBytes(), second.weightBytes());
    }

    @Test
    public void mainJobConfigurationLoads() {
        Path config = Path.of("..", "examples", "configs", "hpo-adam-hd.xml");
        assertTrue(Files.isRegularFile(config), "missing " + config.toAbsolutePath());
        ConfigurationManager manager = new ConfigurationManager(config.toString());
        try {
            AdamHDOptimiserFactory factory = (AdamHDOptimiserFactory) manager.lookup("adam-hd");
            assertEquals("Adam-HD(lr=0.002,beta=1.0E-6,rule=ADDITIVE,clip=[2.0E-4,0.01],beta1=0.9,beta2=0.999,epsilon=1.0E-8)",
                    factory.toString());
            Helpers.testConfigurableRoundtrip(factory);
        } finally {
            manager.close();
        }
    }

    @Test
    public void factoriesRoundTripThroughConfiguration() {
        Helpers.testConfigurableRoundtrip(new SGDHDOptimiserFactory(new HypergradientSettings(0.01, 1e-3, HypergradientRule.MULTIPLICATIVE, 1e-4, 0.5), new HypergradientSettings.Momentum(0.9, true)));
        Helpers.testConfigurableRoundtrip(new AdamHDOptimiserFactory(new HypergradientSettings(1e-3, 1e-7, HypergradientRule.ADDITIVE, 0.0, 0.1), new HypergradientSettings.Adam(0.8, 0.99, 1e-6)));
    }
}
