package org.tribuoadapt.robust.adversarial;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.train.EpochSummary;
import org.tribuoadapt.core.train.SGDOptimiserFactory;
import org.tribuoadapt.core.train.TrainingHistory;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AccelATScheduleTest {

    private static final AccelATSchedule PAPER = AccelATSchedule.withPaperDefaults();

    private static double[] constant(int epochs, double accuracy) {
        double[] out = new double[epochs];
        Arrays.fill(out, accuracy);
        return out;
    }

    @Test
    public void dropsWhenTheWindowedAccuracyStopsRising() {
        // a flat accuracy: the first comparison of two full windows is after epoch 7, then every 5 quiet epochs
        assertEquals(List.of(7, 12, 17), PAPER.drops(constant(20, 0.4)));
        // rising by 2 points an epoch: the windowed mean rises by 0.02 > 0.005 every epoch
        double[] rising = new double[20];
        for (int i = 0; i < rising.length; i++) {
            rising[i] = 0.1 + 0.02 * i;
        }
        assertEquals(List.of(), PAPER.drops(rising));
        // rising 5 points an epoch up to epoch 8, then flat: the gradient (a[k] - a[k-5]) / 5 reaches 0 at epoch 13
        double[] plateau = new double[20];
        for (int i = 0; i < plateau.length; i++) {
            plateau[i] = 0.05 * Math.min(i + 1, 8);
        }
        assertEquals(List.of(13, 18), PAPER.drops(plateau));
        // a gradient of exactly the threshold keeps the rate (the test is strict), one just below drops it
        AccelATSchedule one = new AccelATSchedule(0.5, 0.25, 1, 1, 1e-6);
        assertEquals(List.of(), one.drops(new double[] {0.0, 0.25, 0.5, 0.75}));
        assertEquals(List.of(4), one.drops(new double[] {0.0, 0.25, 0.5, 0.74}));
        // quiet time: with 2 quiet epochs a flat run drops every second epoch from epoch window + 2 = 3
        assertEquals(List.of(3, 5, 7), new AccelATSchedule(0.5, 0.005, 1, 2, 1e-6).drops(constant(8, 0.9)));
        // a falling accuracy is a negative gradient: it drops
        assertEquals(List.of(7), PAPER.drops(new double[] {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}));
        assertEquals(List.of(), PAPER.drops(constant(6, 0.4)));
    }

    @Test
    public void nextRateAppliesTheFactorAndTheFloor() {
        List<EpochSummary> epochs = new ArrayList<>();
        double rate = 1e-3;
        List<Double> rates = new ArrayList<>();
        for (int epoch = 1; epoch <= 12; epoch++) {
            epochs.add(new EpochSummary(epoch, 1.0, 1.0, 0.4, rate, 1.0));
            rate = PAPER.nextRate(epochs, rate);
            rates.add(rate);
        }
        assertEquals(1e-3, rates.get(5));
        assertEquals(8e-4, rates.get(6), 1e-18);
        assertEquals(8e-4, rates.get(10), 1e-18);
        assertEquals(6.4e-4, rates.get(11), 1e-18);
        assertEquals(1e-6, PAPER.droppedRate(1.1e-6));
        assertEquals(5e-7, PAPER.droppedRate(5e-7), "a rate under the minimum is not raised");
        List<EpochSummary> noValidation = List.of(new EpochSummary(1, 1.0, Double.NaN, Double.NaN, 0.1, 1.0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PAPER.nextRate(noValidation, 0.1));
        assertTrue(e.getMessage().contains("validationFraction"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PAPER.drops(new double[] {0.1, 0.2, Double.NaN, 0.3, 0.4, 0.5, 0.6}));
    }

    @Test
    public void impossibleSettingsAreRefused() {
        for (double factor : new double[] {0, 1, 1.5, -0.5, Double.NaN}) {
            PropertyException e = assertThrows(PropertyException.class, () -> new AccelATSchedule(factor, 0.005, 5, 5, 1e-6));
            assertTrue(e.getMessage().contains("factor"), e.getMessage());
        }
        assertThrows(PropertyException.class, () -> new AccelATSchedule(0.8, Double.NaN, 5, 5, 1e-6));
        assertThrows(PropertyException.class, () -> new AccelATSchedule(0.8, Double.POSITIVE_INFINITY, 5, 5, 1e-6));
        assertThrows(PropertyException.class, () -> new AccelATSchedule(0.8, 0.005, 0, 5, 1e-6));
        assertThrows(PropertyException.class, () -> new AccelATSchedule(0.8, 0.005, 5, 0, 1e-6));
        assertThrows(PropertyException.class, () -> new AccelATSchedule(0.8, 0.005, 5, 5, 0));
        assertThrows(PropertyException.class, () -> new AccelATSchedule(0.8, 0.005, 5, 5, Double.POSITIVE_INFINITY));
    }

    /** PGD-AT whose schedule drops after every epoch from the third (window 1, threshold 1 is always met). */
    private static NetworkTrainer alwaysDropping(long seed) {
        return new NetworkTrainer(RobustFixtures.cnn(), new SGDOptimiserFactory(0.05, 0.9, false, 0.0), 5, 30, seed,
                0.0, 0.25, 10)
                .withObjective(new AdversarialObjective(new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1)))
                .withLearningRateSchedule(new AccelATSchedule(0.5, 1.0, 1, 1, 1e-3));
    }

    @Test
    public void theOptimiserUsesTheDroppedRateAndProvenanceRecordsIt() {
        NetworkTrainer trainer = alwaysDropping(5L);
        NetworkModel model = trainer.train(RobustFixtures.test());
        TrainingHistory history = model.history().orElseThrow();
        double[] expectedPerEpoch = {0.05, 0.05, 0.05, 0.025, 0.0125};
        int perEpoch = history.steps() / expectedPerEpoch.length;
        double[] rates = history.stepLearningRates();
        for (int step = 0; step < rates.length; step++) {
            assertEquals(expectedPerEpoch[step / perEpoch], rates[step], 0.0, "step " + (step + 1));
        }
        assertEquals("after epoch 3: 0.025; after epoch 4: 0.0125", model.getProvenance().getInstanceProvenance()
                .getMap().get(NetworkProvenance.LEARNING_RATE_CHANGES).toString());
        ConfiguredObjectProvenance schedule = (ConfiguredObjectProvenance) model.getProvenance().getTrainerProvenance()
                .getConfiguredParameters().get("learningRateSchedule");
        assertEquals(AccelATSchedule.class.getName(), schedule.getClassName());
        assertEquals("0.5", schedule.getConfiguredParameters().get("factor").toString());
        Helpers.testConfigurableRoundtrip(trainer);
        Helpers.testConfigurableRoundtrip(PAPER);
    }

    @Test
    public void sameSeedSameRatesAndWeights() {
        NetworkModel first = alwaysDropping(9L).train(RobustFixtures.test());
        NetworkModel second = alwaysDropping(9L).train(RobustFixtures.test());
        assertArrayEquals(first.weightBytes(), second.weightBytes());
        assertArrayEquals(first.history().orElseThrow().stepLearningRates(),
                second.history().orElseThrow().stepLearningRates());
        assertEquals(first.getProvenance().getInstanceProvenance().getMap().get(NetworkProvenance.LEARNING_RATE_CHANGES),
                second.getProvenance().getInstanceProvenance().getMap().get(NetworkProvenance.LEARNING_RATE_CHANGES));
    }
}
