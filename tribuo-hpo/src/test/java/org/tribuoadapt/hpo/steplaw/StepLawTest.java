package org.tribuoadapt.hpo.steplaw;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.NetworkOptimiser;
import org.tribuoadapt.core.train.OptimiserFactory;
import org.tribuoadapt.core.train.TrainingPlan;
import org.tribuoadapt.hpo.hypergradient.AdamHDOptimiserFactory;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Step Law against the paper's worked values, its refit, the optimiser factory and bad input.
 */
public class StepLawTest {

    @Test
    public void workedValuesOfThePaper() {
        StepLaw law = new StepLaw();
        assertEquals(3.29e-3, law.learningRate(119e6, 7e9), 0.005e-3);
        assertEquals(242_649, law.batchSize(7e9), 1.0);
        assertEquals(1.63e-3, law.learningRate(1e9, 100e9), 0.005e-3);
        assertEquals(1_107_715, law.batchSize(100e9), 1.0);
    }

    @Test
    public void fitRecoversTheConstantsOfAKnownLaw() {
        StepLaw truth = new StepLaw(2.5, 0.6, 0.25, 0.3, 0.6);
        List<StepLawObservation> observations = new ArrayList<>();
        double[][] grid = {{1e6, 1e8}, {1e7, 1e8}, {1e6, 1e9}, {1e8, 1e10}, {3e7, 3e9}};
        for (double[] nd : grid) {
            observations.add(new StepLawObservation(nd[0], nd[1], truth.learningRate(nd[0], nd[1]), truth.batchSize(nd[1])));
        }
        StepLaw fitted = StepLaw.fit(observations);
        assertEquals(2.5, fitted.learningRateCoefficient(), 1e-9);
        assertEquals(0.6, fitted.modelSizeExponent(), 1e-12);
        assertEquals(0.25, fitted.dataSizeExponent(), 1e-12);
        assertEquals(0.3, fitted.batchSizeCoefficient(), 1e-10);
        assertEquals(0.6, fitted.batchSizeExponent(), 1e-12);
    }

    @Test
    public void fitOfThePapersOwnPredictionsGivesThePapersConstants() {
        StepLaw paper = new StepLaw();
        List<StepLawObservation> observations = new ArrayList<>();
        for (double n : new double[] {1e8, 4e8, 1e9}) {
            for (double d : new double[] {1e10, 4e10, 1e11}) {
                observations.add(new StepLawObservation(n, d, paper.learningRate(n, d), paper.batchSize(d)));
            }
        }
        StepLaw fitted = StepLaw.fit(observations);
        assertEquals(1.79, fitted.learningRateCoefficient(), 1e-8);
        assertEquals(0.713, fitted.modelSizeExponent(), 1e-10);
        assertEquals(0.571, fitted.batchSizeExponent(), 1e-10);
    }

    @Test
    public void badInputGetsAClearError() {
        StepLaw law = new StepLaw();
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> law.learningRate(0, 1e9));
        assertTrue(n.getMessage().contains("N (the number of parameters)"), n.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> law.batchSize(-5));
        assertTrue(d.getMessage().contains("D (the data size)"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> law.learningRate(1e6, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new StepLawObservation(1e6, 1e9, -1e-3, 128));

        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> StepLaw.fit(List.of(
                new StepLawObservation(1e6, 1e8, 1e-3, 100), new StepLawObservation(1e7, 1e9, 1e-3, 100))));
        assertTrue(few.getMessage().contains("at least 3"), few.getMessage());
        IllegalArgumentException sameN = assertThrows(IllegalArgumentException.class, () -> StepLaw.fit(List.of(
                new StepLawObservation(1e6, 1e8, 1e-3, 100), new StepLawObservation(1e6, 1e9, 2e-3, 200),
                new StepLawObservation(1e6, 1e10, 3e-3, 400))));
        assertTrue(sameN.getMessage().contains("linearly dependent"), sameN.getMessage());
        assertThrows(PropertyException.class, () -> new StepLaw(0.0, 0.713, 0.307, 0.58, 0.571));
    }

    private static TrainingPlan plan() {
        return new TrainingPlan(400_000, 400_000, 8_000, 784, 64, 4);
    }

    @Test
    public void factorySetsTheBaseLearningRateFromTheRun() {
        StepLaw law = new StepLaw();
        double expected = law.learningRate(400_000, 8_000 * 4);
        StepLawOptimiserFactory examples = new StepLawOptimiserFactory(new AdamOptimiserFactory(0.5));
        assertEquals(expected, examples.predictedLearningRate(plan()), 1e-15);
        try (NetworkOptimiser optimiser = examples.create(List.of(), plan())) {
            assertEquals(expected, optimiser.learningRate(), 1e-15);
        }
        StepLawOptimiserFactory pixels = new StepLawOptimiserFactory(new AdamOptimiserFactory(0.5), law,
                DataMeasure.INPUT_VALUES, 1.0, 0);
        assertEquals(law.learningRate(400_000, 8_000 * 4 * 784.0), pixels.predictedLearningRate(plan()), 1e-15);
        StepLawOptimiserFactory tokens = new StepLawOptimiserFactory(new AdamHDOptimiserFactory(1e-3, 1e-7, 0.0, 0.1), law,
                DataMeasure.TOKENS, 49.0, 100_000);
        assertEquals(law.learningRate(300_000, 8_000 * 4 * 49.0), tokens.predictedLearningRate(plan()), 1e-15);
        try (NetworkOptimiser optimiser = tokens.create(List.of(), plan())) {
            assertEquals(tokens.predictedLearningRate(plan()), optimiser.learningRate(), 1e-15);
        }
    }

    @Test
    public void factoryRejectsWhatItCannotUse() {
        IllegalArgumentException rejected = assertThrows(IllegalArgumentException.class, () ->
                new StepLawOptimiserFactory(new AdamHDOptimiserFactory(1e-5, 1e-7, 0.0, 1e-4)).create(List.of(), plan()));
        assertTrue(rejected.getMessage().contains("rejected the learning rate"), rejected.getMessage());
        PropertyException noRate = assertThrows(PropertyException.class, () -> new StepLawOptimiserFactory(new FixedRate()));
        assertTrue(noRate.getMessage().contains("no 'learningRate'"), noRate.getMessage());
        StepLawOptimiserFactory excludesAll = new StepLawOptimiserFactory(new AdamOptimiserFactory(1e-3), new StepLaw(),
                DataMeasure.EXAMPLES, 1.0, 400_000);
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> excludesAll.create(List.of(), plan()));
        assertTrue(n.getMessage().contains("N > 0"), n.getMessage());
        assertThrows(PropertyException.class, () -> new StepLawOptimiserFactory(new AdamOptimiserFactory(1e-3), new StepLaw(),
                DataMeasure.TOKENS, 0.0, 0));
    }

    @Test
    public void trainerRecordsThePredictedRateAndTheConstants() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, 6, 21);
        StepLawOptimiserFactory factory = new StepLawOptimiserFactory(new AdamOptimiserFactory(1e-3),
                new StepLaw(1.79, 0.713, 0.307, 0.58, 0.571), DataMeasure.EXAMPLES, 1.0, 0);
        NetworkTrainer trainer = new NetworkTrainer(new MLPSpec(36, new int[] {8}, Activation.RELU, 0.0), factory, 2, 32, 3L);
        NetworkModel model = trainer.train(train);
        long n = 36 * 8 + 8 + 8 * 3 + 3;
        double expected = new StepLaw().learningRate(n, 120 * 2);
        assertEquals(expected, model.history().orElseThrow().stepLearningRates()[0], 1e-15);
        ConfiguredObjectProvenance optimiser = (ConfiguredObjectProvenance)
                model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("optimiser");
        ConfiguredObjectProvenance lawProvenance = (ConfiguredObjectProvenance) optimiser.getConfiguredParameters().get("law");
        assertEquals("0.713", lawProvenance.getConfiguredParameters().get("modelSizeExponent").toString());
        assertEquals("EXAMPLES", optimiser.getConfiguredParameters().get("dataMeasure").toString());
        Helpers.testConfigurableRoundtrip(factory);
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testProvenanceMarshalling(model.getProvenance());
    }

    /** A factory without a learningRate property. */
    private static final class FixedRate implements OptimiserFactory {
        private static final long serialVersionUID = 1L;

        @Config(description = "A rate under another name.")
        private double rate = 0.1;

        @Override
        public NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ConfiguredObjectProvenance getProvenance() {
            return new ConfiguredObjectProvenanceImpl(this, "OptimiserFactory");
        }
    }
}
