package org.tribuoadapt.hpo.stn;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Self-Tuning trainer: it learns, records the per-epoch trajectory and every setting in provenance, is
 * reproducible from its seed, keeps the hyperparameters in their domains, and rejects impossible settings.
 */
public class SelfTuningTrainerTest {

    private static final int SIZE = 6;

    private static SelfTuningTrainer trainer(double hyperLearningRate, long seed) {
        return new SelfTuningTrainer(new int[] {16, 12}, 3, 32, SelfTuningTrainer.Rounds.PAPER,
                new SelfTuningTrainer.Hyper(3e-3, hyperLearningRate, 0.1, 1e-3, 0.5, true, 0.001, 0.5, true),
                seed);
    }

    @Test
    public void learnsAndRecordsTheTrajectoryAndSettings() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 3, SIZE, TestSeeds.of(21));
        MutableDataset<Label> test = SyntheticImages.dataset(90, 3, SIZE, TestSeeds.of(22));
        SelfTuningTrainer trainer = trainer(0.003, TestSeeds.of(4));
        SelfTuningModel model = trainer.train(train);
        double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
        assertTrue(accuracy > 0.6, "accuracy " + accuracy);

        List<String> trajectory = trajectory(model);
        assertEquals(3, trajectory.size());
        assertTrue(trajectory.get(0).startsWith("epoch=1 dropout=["), trajectory.get(0));
        assertTrue(trajectory.get(2).contains(" l2="), trajectory.get(2));
        double[] lastRates = rates(trajectory.get(2));
        assertArrayEquals(model.dropoutRates(), lastRates, 1e-5 * Math.max(lastRates[0], lastRates[1]));
        assertNotEquals(0.1, model.dropoutRates()[0], "the dropout rate moved");

        var configured = model.getProvenance().getTrainerProvenance().getConfiguredParameters();
        for (String setting : List.of("hiddenSizes", "epochs", "batchSize", "validationFraction", "trainSteps",
                "validationSteps", "weightLearningRate", "hyperLearningRate", "initialDropout", "initialL2",
                "initialScale", "tuneScale", "entropyWeight", "concreteTemperature", "tuneHyperparameters", "seed")) {
            assertTrue(configured.containsKey(setting), setting + " in " + configured.keySet());
        }
        assertEquals("0.001", configured.get("entropyWeight").toString(), "the trainer's own setting, not the default");
        Helpers.testProvenanceMarshalling(model.getProvenance());
        Helpers.testConfigurableRoundtrip(trainer);
    }

    @Test
    public void sameSeedGivesTheSameTrajectoryAndPredictions() {
        MutableDataset<Label> train = SyntheticImages.dataset(160, 3, SIZE, 31);
        SelfTuningModel first = trainer(0.003, 8).train(train);
        SelfTuningModel second = trainer(0.003, 8).train(train);
        assertEquals(trajectory(first), trajectory(second));
        for (Example<Label> example : train) {
            Prediction<Label> a = first.predict(example);
            Prediction<Label> b = second.predict(example);
            assertEquals(a.getOutputScores().toString(), b.getOutputScores().toString());
        }
        SelfTuningModel other = trainer(0.003, 9).train(train);
        assertNotEquals(trajectory(first), trajectory(other));
    }

    @Test
    public void hyperparametersStayInTheirDomainsUnderAggressiveSteps() {
        MutableDataset<Label> train = SyntheticImages.dataset(200, 3, SIZE, 41);
        SelfTuningModel model = trainer(0.5, 3).train(train);
        for (String epoch : trajectory(model)) {
            for (double rate : rates(epoch)) {
                assertTrue(rate > 0 && rate < 1, "dropout rate " + rate + " in " + epoch);
            }
            assertTrue(l2(epoch) > 0, "L2 in " + epoch);
        }
        for (double rate : model.dropoutRates()) {
            assertTrue(rate > 0 && rate < 1, "final dropout rate " + rate);
        }
        assertTrue(model.l2() > 0);
    }

    @Test
    public void fixedValueTrainingKeepsTheInitialHyperparameters() {
        MutableDataset<Label> train = SyntheticImages.dataset(120, 3, SIZE, 51);
        SelfTuningModel model = new SelfTuningTrainer(new int[] {8}, 2, 32, SelfTuningTrainer.Rounds.PAPER,
                SelfTuningTrainer.Hyper.paper(0.2, 1e-3, false), 1).train(train);
        assertEquals(0.2, model.dropoutRates()[0], 1e-6);
        assertEquals(1e-3, model.l2(), 1e-8);
        assertTrue(trajectory(model).get(1).endsWith("validation-objective=NaN"), trajectory(model).get(1));
    }

    @Test
    public void impossibleSettingsAreRejected() {
        SelfTuningTrainer.Hyper ok = SelfTuningTrainer.Hyper.paper(0.1, 1e-3, true);
        SelfTuningTrainer.Rounds rounds = SelfTuningTrainer.Rounds.PAPER;
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[0], 1, 8, 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {0}, 1, 8, 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 0, 8, 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 1, 0, 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 1, 8,
                new SelfTuningTrainer.Rounds(0, 1, 0.1), ok, 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 1, 8,
                new SelfTuningTrainer.Rounds(5, 1, 1.0), ok, 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 1, 8, rounds,
                SelfTuningTrainer.Hyper.paper(1.0, 1e-3, true), 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 1, 8, rounds,
                SelfTuningTrainer.Hyper.paper(0.1, 0, true), 1));
        assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4}, 1, 8, rounds,
                new SelfTuningTrainer.Hyper(1e-3, Double.NaN, 0.1, 1e-3, 0.5, true, 0.001, 0.5, true), 1));
        PropertyException entropy = assertThrows(PropertyException.class, () -> new SelfTuningTrainer(new int[] {4},
                1, 8, rounds, new SelfTuningTrainer.Hyper(1e-3, 3e-3, 0.1, 1e-3, 0.5, true, -1, 0.5, true), 1));
        assertTrue(entropy.getMessage().contains("entropyWeight"), entropy.getMessage());

        MutableDataset<Label> empty = new MutableDataset<>(new ListDataSource<>(new ArrayList<>(), new LabelFactory(),
                new SimpleDataSourceProvenance("empty", new LabelFactory())));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SelfTuningTrainer(new int[] {4}, 1, 8, 1).train(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    private static List<String> trajectory(SelfTuningModel model) {
        Provenance p = model.getProvenance().getInstanceProvenance().getMap()
                .get(SelfTuningTrainer.TRAJECTORY_PROVENANCE);
        List<String> out = new ArrayList<>();
        for (Provenance line : ((ListProvenance<?>) p).getList()) {
            out.add(line.toString());
        }
        return out;
    }

    private static double[] rates(String epoch) {
        Matcher m = Pattern.compile("dropout=\\[([^]]*)]").matcher(epoch);
        assertTrue(m.find(), epoch);
        String[] parts = m.group(1).split(",");
        double[] rates = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            rates[i] = Double.parseDouble(parts[i]);
        }
        return rates;
    }

    private static double l2(String epoch) {
        Matcher m = Pattern.compile(" l2=(\\S+)").matcher(epoch);
        assertTrue(m.find(), epoch);
        return Double.parseDouble(m.group(1));
    }
}
