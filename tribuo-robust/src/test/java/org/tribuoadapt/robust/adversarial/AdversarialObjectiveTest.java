package org.tribuoadapt.robust.adversarial;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.junit.jupiter.api.Test;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.train.CrossEntropyObjective;

public class AdversarialObjectiveTest {

    private static NetworkTrainer small(AdversarialMethod method, long seed) {
        return new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 1, 30, seed).withObjective(
                new AdversarialObjective(new PGDAttack(AttackNorm.LINF, 0.05, 0.03, 2, true, 1), method, 6.0));
    }

    @Test
    public void pgdTrainingBuysRobustness() {
        // the undefended network reads the stripes, which PGD redraws; the defended one reads the bar, right in 90%
        RobustnessEvaluator evaluator = new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.05, 10)),
                TestSeeds.of(3));
        double standard = evaluator.evaluate(RobustFixtures.standard(), RobustFixtures.test()).outcomes().get(0).accuracy();
        double robust = evaluator.evaluate(RobustFixtures.robust(), RobustFixtures.test()).outcomes().get(0).accuracy();
        assertTrue(robust > standard + 0.5, "PGD-10 accuracy " + robust + " after adversarial training, " + standard
                + " without");
    }

    @Test
    public void roundTripsAndRecordsTheAttack() {
        NetworkModel robust = RobustFixtures.robust();
        Helpers.testModelProtoSerialization(robust, Label.class, RobustFixtures.test());
        ConfiguredObjectProvenance objective = (ConfiguredObjectProvenance) robust.getProvenance()
                .getTrainerProvenance().getConfiguredParameters().get("objective");
        ConfiguredObjectProvenance attack = (ConfiguredObjectProvenance) objective.getConfiguredParameters().get("attack");
        assertEquals("0.05", attack.getConfiguredParameters().get("epsilon").toString());
        assertEquals("2", attack.getConfiguredParameters().get("steps").toString());
        Helpers.testConfigurableRoundtrip(small(AdversarialMethod.TRADES, 1L));
    }

    @Test
    public void sameSeedSameWeightsAndTradesDiffers() {
        byte[] first = small(AdversarialMethod.PGD_AT, 4L).train(RobustFixtures.test()).weightBytes();
        assertArrayEquals(first, small(AdversarialMethod.PGD_AT, 4L).train(RobustFixtures.test()).weightBytes());
        NetworkTrainer trainer = small(AdversarialMethod.PGD_AT, 4L);
        trainer.train(RobustFixtures.test());
        assertFalse(Arrays.equals(first, trainer.train(RobustFixtures.test()).weightBytes()));
        trainer.setInvocationCount(0);
        assertArrayEquals(first, trainer.train(RobustFixtures.test()).weightBytes());
        NetworkModel trades = small(AdversarialMethod.TRADES, 4L).train(RobustFixtures.test());
        assertFalse(Arrays.equals(first, trades.weightBytes()));
        assertTrue(Double.isFinite(trades.history().orElseThrow().best().trainLoss()));
    }

    @Test
    public void craftingLeavesNoGradientOnTheParameters() {
        NetworkModel model = RobustFixtures.standard();
        TensorDataset data = TensorDataset.from(RobustFixtures.test(), new FeatureTensorizer(model.getFeatureIDMap(),
                model.spec().inputShape()), model.getOutputIDInfo());
        for (AdversarialMethod method : AdversarialMethod.values()) {
            try (Network network = model.newNetwork(); NDManager batch = network.manager().newSubManager();
                 NDScope scope = new NDScope()) {
                List<Parameter> trainable = network.trainableParameters();
                int[] all = Evaluation.range(0, 32);
                NDArray inputs = data.features(batch, all);
                NDArray prepared = new AdversarialBatchObjective(new PGDAttack(AttackNorm.LINF, 0.1, 3), method, 6.0,
                        new SplittableRandom(1)).prepareInputs(network, inputs, data.labels(batch, all),
                        ForwardContext.training(batch));
                assertEquals(method == AdversarialMethod.TRADES ? 64 : 32, prepared.getShape().get(0));
                assertEquals(trainable, network.trainableParameters());
                for (Parameter p : trainable) {
                    assertTrue(p.isTrainable());
                    NDArray gradient = p.array().getGradient();
                    assertEquals(0f, gradient.abs().sum().getFloat(), p + " has a gradient after crafting");
                }
                try (GradientMode on = GradientMode.enabled()) {
                    NDArray loss = new AdversarialBatchObjective(new PGDAttack(AttackNorm.LINF, 0.1, 3), method, 6.0,
                            new SplittableRandom(1)).loss(network, prepared, data.labels(batch, all),
                            ForwardContext.training(batch));
                    assertTrue(Float.isFinite(loss.getFloat()));
                }
            }
        }
    }

    @Test
    public void rejectsBadSettings() {
        PropertyException beta = assertThrows(PropertyException.class, () -> new AdversarialObjective(
                new PGDAttack(AttackNorm.LINF, 0.1, 2), AdversarialMethod.TRADES, -1.0));
        assertTrue(beta.getMessage().contains("tradesBeta must be finite and >= 0"), beta.getMessage());
        assertThrows(PropertyException.class, () -> new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01),
                0, 8, 1L).withObjective(new AdversarialObjective(new PGDAttack(AttackNorm.LINF, 0.1, 2))));
    }

    @Test
    public void tradesStartsAtTheReferencePointWhateverTheAttacksOwnStart() {
        NetworkModel model = RobustFixtures.standard();
        TensorDataset data = TensorDataset.from(RobustFixtures.test(), model.tensorizer(), model.getOutputIDInfo());
        float[][] prepared = new float[2][];
        boolean[] randomStarts = {true, false};
        for (int i = 0; i < 2; i++) {
            try (Network network = model.newNetwork(); NDManager batch = network.manager().newSubManager();
                 NDScope scope = new NDScope()) {
                int[] all = Evaluation.range(0, 32);
                prepared[i] = new AdversarialBatchObjective(new PGDAttack(AttackNorm.LINF, 0.1, 0.05, 3,
                        randomStarts[i], 1), AdversarialMethod.TRADES, 6.0, new SplittableRandom(5))
                        .prepareInputs(network, data.features(batch, all), data.labels(batch, all),
                                ForwardContext.training(batch)).toFloatArray();
            }
        }
        assertArrayEquals(prepared[0], prepared[1], "TRADES must start at x + 0.001 N(0, 1), not at the attack's start");
        PropertyException square = assertThrows(PropertyException.class, () -> new AdversarialObjective(
                new APGDTargetedAttack(AttackNorm.LINF, 0.1, 5, 3), AdversarialMethod.TRADES, 6.0));
        assertTrue(square.getMessage().contains("x + 0.001 N(0, 1)"), square.getMessage());
    }

    @Test
    public void anExplicitCrossEntropyObjectiveTrainsAsTheDefault() {
        // cross-entropy draws nothing from the run's stream, so configuring it explicitly changes no weight
        NetworkTrainer plain = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 1, 30, 5L);
        NetworkTrainer explicit = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 1, 30, 5L)
                .withObjective(new CrossEntropyObjective());
        assertArrayEquals(plain.train(RobustFixtures.test()).weightBytes(),
                explicit.train(RobustFixtures.test()).weightBytes());
    }
}
