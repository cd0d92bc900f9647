package org.tribuoadapt.robust.attack.apgdt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.NetworkClassifier;
import org.tribuoadapt.robust.evaluation.AttackOutcome;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class APGDTargetedAttackTest {

    private static final int SIZE = 8;

    @Test
    public void theTargetedDlrLossFollowsEquationSeven() {
        try (NDManager m = DjlRuntime.newManager()) {
            // sorted logits 3 >= 2 >= 1 >= 0 >= -1: spread 3 - (1 + 0) / 2 = 2.5; true class 0 (3), target 2 (2)
            NDArray logits = m.create(new float[] {3, 1, 2, 0, -1}, new Shape(1, 5));
            NDArray labels = m.create(new long[] {0});
            TargetedDlrLoss loss = new TargetedDlrLoss(m.create(new long[] {2}));
            assertEquals(-0.4f, loss.perExample(logits, labels).getFloat(0), 1e-6f);
            // invariant to the logits' scale and shift
            assertEquals(-0.4f, loss.perExample(logits.mul(7).add(5), labels).getFloat(0), 1e-5f);
        }
    }

    @Test
    public void breaksAnUndefendedClassifierWithinTheBudget() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 5, SIZE, TestSeeds.of(21));
        NetworkModel model = new NetworkTrainer(new MLPSpec(SIZE * SIZE, new int[] {32}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 10, 32, TestSeeds.of(22)).train(train);
        APGDTargetedAttack attack = new APGDTargetedAttack(AttackNorm.LINF, 0.15, 10, 4);
        RobustnessEvaluation e = new RobustnessEvaluator(List.of(attack), TestSeeds.of(23))
                .evaluate(model, SyntheticImages.dataset(60, 5, SIZE, TestSeeds.of(24)));
        AttackOutcome outcome = e.outcomes().get(0);
        assertTrue(e.cleanAccuracy() > 0.6, e.toString());
        assertTrue(outcome.accuracy() < e.cleanAccuracy(), e.toString());
        assertTrue(outcome.maxPerturbation() <= 0.15 + 1e-6, e.toString());
        assertTrue(outcome.key().startsWith("apgd-t-linf-10"), outcome.key());
        Helpers.testConfigurableRoundtrip(attack);
    }

    @Test
    public void refusesWhatItCannotDo() {
        APGDTargetedAttack attack = new APGDTargetedAttack(AttackNorm.LINF, 0.1, 5, 9);
        NetworkModel twoOrThreeClasses = RobustFixtures.standard();
        try (NetworkClassifier classifier = NetworkClassifier.of(twoOrThreeClasses); NDManager m = DjlRuntime.newManager()) {
            NDArray x = m.zeros(new Shape(2).addAll(classifier.inputShape()));
            NDArray y = m.create(new long[] {0, 0});
            IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                    () -> attack.perturb(classifier, x, y, new SplittableRandom(1)));
            assertTrue(classes.getMessage().contains("needs at least 4 classes"), classes.getMessage());
            IllegalArgumentException goal = assertThrows(IllegalArgumentException.class, () -> attack.perturb(classifier,
                    x, y, AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS, new SplittableRandom(1)));
            assertTrue(goal.getMessage().contains("use APGDAttack"), goal.getMessage());
        }
        assertThrows(PropertyException.class,
                () -> new APGDTargetedAttack(AttackNorm.LINF, 0.1, 5, 0));
    }
}
