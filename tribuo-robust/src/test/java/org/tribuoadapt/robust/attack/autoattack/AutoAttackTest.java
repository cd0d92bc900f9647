package org.tribuoadapt.robust.attack.autoattack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
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
import org.tribuoadapt.robust.attack.Attack;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.Attacks;
import org.tribuoadapt.robust.attack.NetworkClassifier;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.robust.attack.fab.FABAttack;
import org.tribuoadapt.robust.attack.square.SquareAttack;
import org.tribuoadapt.robust.evaluation.AttackOutcome;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AutoAttackTest {

    private static final int SIZE = 8;

    private static NetworkModel fiveClassMlp() {
        MutableDataset<Label> train = SyntheticImages.dataset(300, 5, SIZE, TestSeeds.of(41));
        return new NetworkTrainer(new MLPSpec(SIZE * SIZE, new int[] {32}, Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.01), 10, 32, TestSeeds.of(42)).train(train);
    }

    @Test
    public void theCompositeIsAtLeastAsStrongAsEachAttackAloneAndItsStagesAddUp() {
        NetworkModel model = fiveClassMlp();
        MutableDataset<Label> test = SyntheticImages.dataset(40, 5, SIZE, TestSeeds.of(43));
        for (AttackNorm norm : AttackNorm.values()) {
            double epsilon = norm == AttackNorm.LINF ? 0.08 : 0.5;
            AutoAttack composite = new AutoAttack(norm, epsilon, 10, 4, 100, 1);
            List<Attack> attacks = List.of(composite,
                    new APGDAttack(norm, epsilon, 10, 0.75, 0.75, true, 1),
                    new APGDTargetedAttack(norm, epsilon, 10, 4),
                    new FABAttack(norm, epsilon, 10, 4),
                    new SquareAttack(norm, epsilon, 100, 0.8, false, 1, SIZE, SIZE, 256));
            RobustnessEvaluation e = new RobustnessEvaluator(attacks, TestSeeds.of(44)).evaluate(model, test);
            AttackOutcome auto = e.outcomes().get(0);
            for (AttackOutcome alone : e.outcomes().subList(1, attacks.size())) {
                assertTrue(auto.accuracy() <= alone.accuracy(), norm + ": " + e);
                assertTrue(alone.stages().isEmpty());
            }
            assertTrue(auto.accuracy() < e.cleanAccuracy(), e.toString());
            assertTrue(auto.maxPerturbation() <= epsilon + 1e-5, e.toString());
            // the stages are the four attacks alone, in order, and every clean-correct example is either broken by
            // exactly one of them or still robust
            assertEquals(attacks.subList(1, attacks.size()).stream().map(Attack::name).toList(),
                    auto.stages().stream().map(AttackOutcome.StageOutcome::attack).toList());
            int cleanRight = (int) Math.round(e.cleanAccuracy() * test.size());
            int robust = (int) Math.round(auto.accuracy() * test.size());
            int broken = auto.stages().stream().mapToInt(AttackOutcome.StageOutcome::broken).sum();
            assertEquals(cleanRight, broken + robust, auto.toString());
            double previous = e.cleanAccuracy();
            for (AttackOutcome.StageOutcome stage : auto.stages()) {
                assertTrue(stage.accuracy() <= previous);
                previous = stage.accuracy();
            }
            assertEquals(auto.accuracy(), previous, 1e-12);
            assertEquals(auto.stages().get(0).accuracy(),
                    e.reproducibleMetrics().get("accuracy@" + auto.key() + "@after:" + auto.stages().get(0).attack()));
        }
    }

    @Test
    public void theStandardVersionRunsTheReferenceSettings() {
        for (AttackNorm norm : AttackNorm.values()) {
            AutoAttack standard = new AutoAttack(norm, 0.1);
            assertEquals(List.of(new APGDAttack(norm, 0.1, 100).name(), new APGDTargetedAttack(norm, 0.1, 100, 9).name(),
                    new FABAttack(norm, 0.1, 100, 9).name(), new SquareAttack(norm, 0.1, 5000, 1, 8, 8).name()),
                    standard.stageNames());
        }
        assertEquals("autoattack-l2", new AutoAttack(AttackNorm.L2, 0.5).name());
    }

    @Test
    public void isConfigurableRegisteredAndRefusesWhatItCannotDo() {
        AutoAttack attack = new AutoAttack(AttackNorm.L2, 0.5, 20, 3, 200, 1);
        Helpers.testConfigurableRoundtrip(attack);
        assertEquals(AutoAttack.class, Attacks.type("autoattack"));
        String provenance = ProvenanceUtil.formattedProvenanceString(attack.getProvenance());
        assertTrue(provenance.contains("squareQueries") && provenance.contains("200"), provenance);
        assertEquals(0.25, attack.withEpsilon(0.25).epsilon(), 0.0);
        assertThrows(PropertyException.class, () -> new AutoAttack(AttackNorm.LINF, 0.1, 10, 0, 100, 1));
        assertThrows(PropertyException.class, () -> new AutoAttack(AttackNorm.LINF, -0.1));
        try (NDManager m = DjlRuntime.newManager();
             NetworkClassifier classifier = NetworkClassifier.of(RobustFixtures.standard())) {
            NDArray x = m.zeros(new Shape(2).addAll(classifier.inputShape()));
            NDArray y = m.create(new long[] {0, 0});
            IllegalArgumentException goal = assertThrows(IllegalArgumentException.class, () -> attack.perturb(classifier,
                    x, y, AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS, new SplittableRandom(1)));
            assertTrue(goal.getMessage().contains("use APGDAttack"), goal.getMessage());
        }
        NetworkModel flat = fiveClassMlp();
        try (NDManager m = DjlRuntime.newManager(); NetworkClassifier classifier = NetworkClassifier.of(flat)) {
            NDArray x = m.zeros(new Shape(1, SIZE * SIZE));
            NDArray y = m.create(new long[] {0});
            IllegalArgumentException layout = assertThrows(IllegalArgumentException.class, () ->
                    new AutoAttack(AttackNorm.LINF, 0.1, 5, 2, 10, 3).perturb(classifier, x, y, new SplittableRandom(1)));
            assertTrue(layout.getMessage().contains("not 3 square channel(s)"), layout.getMessage());
        }
    }
}
