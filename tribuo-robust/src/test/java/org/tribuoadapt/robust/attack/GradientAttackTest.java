package org.tribuoadapt.robust.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;
import org.tribuoadapt.robust.attack.fgsm.FGSMAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluation;
import org.tribuoadapt.robust.evaluation.RobustnessEvaluator;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class GradientAttackTest {

    /** Runs a function on the whole test set as one batch of the standard fixture model. */
    private static <T> T onTestBatch(NetworkModel model, Function<Batch, T> body) {
        TensorDataset data = TensorDataset.from(RobustFixtures.test(), new FeatureTensorizer(model.getFeatureIDMap(),
                model.spec().inputShape()), model.getOutputIDInfo());
        try (NDManager manager = DjlRuntime.newManager(); NDScope scope = new NDScope();
             NetworkClassifier classifier = NetworkClassifier.of(model)) {
            int[] all = Evaluation.range(0, data.size());
            return body.apply(new Batch(classifier, data.features(manager, all), data.labels(manager, all)));
        }
    }

    private record Batch(NetworkClassifier classifier, NDArray inputs, NDArray labels) {}

    private static void assertInBallAndRange(float[] clean, float[] adversarial, int width, AttackNorm norm,
                                             double epsilon) {
        float[] delta = new float[clean.length];
        for (int i = 0; i < clean.length; i++) {
            assertTrue(adversarial[i] >= 0f && adversarial[i] <= 1f, "value " + adversarial[i] + " left [0, 1]");
            delta[i] = adversarial[i] - clean[i];
        }
        for (int n = 0; n < clean.length / width; n++) {
            double size = norm.measure(delta, n * width, width);
            assertTrue(size <= epsilon + 1e-5, norm + " perturbation " + size + " exceeds epsilon " + epsilon);
        }
    }

    @Test
    public void everyAttackStaysInTheBallAndTheValidRange() {
        NetworkModel model = RobustFixtures.standard();
        List<GradientAttack> attacks = List.of(
                new FGSMAttack(AttackNorm.LINF, 0.1), new FGSMAttack(AttackNorm.L2, 0.5),
                new PGDAttack(AttackNorm.LINF, 0.1, 0.03, 10, true, 2), new PGDAttack(AttackNorm.L2, 0.5, 0.2, 10, true, 2),
                new APGDAttack(AttackNorm.LINF, 0.1, 10), new APGDAttack(AttackNorm.L2, 0.5, 10));
        for (GradientAttack attack : attacks) {
            for (AttackGoal goal : AttackGoal.values()) {
                onTestBatch(model, b -> {
                    NDArray adversarial = attack.perturb(b.classifier(), b.inputs(), b.labels(), AttackLoss.CROSS_ENTROPY,
                            goal, new SplittableRandom(3));
                    assertEquals(b.inputs().getShape(), adversarial.getShape());
                    assertInBallAndRange(b.inputs().toFloatArray(), adversarial.toFloatArray(), 64, attack.norm(),
                            attack.epsilon());
                    return null;
                });
            }
        }
    }

    @Test
    public void pgd20FoolsAnUndefendedModel() {
        RobustnessEvaluation evaluation = new RobustnessEvaluator(List.of(new PGDAttack(AttackNorm.LINF, 0.1, 20)),
                TestSeeds.of(5))
                .evaluate(RobustFixtures.standard(), RobustFixtures.test());
        assertTrue(evaluation.cleanAccuracy() > 0.9, "clean accuracy " + evaluation.cleanAccuracy());
        double success = evaluation.outcomes().get(0).successRate();
        assertTrue(success >= 0.95, "PGD-20 succeeded on only " + success + " of the correctly classified inputs");
    }

    @Test
    public void morePgdStepsNeverRaiseRobustAccuracy() {
        double previous = Double.POSITIVE_INFINITY;
        double clean = 0;
        for (int steps : new int[] {1, 2, 4, 8, 16}) {
            RobustnessEvaluation e = new RobustnessEvaluator(
                    List.of(new PGDAttack(AttackNorm.LINF, 0.05, 0.005, steps, true, 1)), TestSeeds.of(9))
                    .evaluate(RobustFixtures.standard(), RobustFixtures.test());
            double robust = e.outcomes().get(0).accuracy();
            assertTrue(robust <= previous, steps + " steps gave robust accuracy " + robust + " after " + previous);
            previous = robust;
            clean = e.cleanAccuracy();
        }
        assertTrue(previous < clean, "16 steps at epsilon 0.05 should fool some inputs");
    }

    @Test
    public void zeroBudgetLeavesInputsUnchanged() {
        onTestBatch(RobustFixtures.standard(), b -> {
            for (GradientAttack attack : List.of(new FGSMAttack(AttackNorm.LINF, 0), new PGDAttack(AttackNorm.L2, 0, 3),
                    new APGDAttack(AttackNorm.LINF, 0, 5))) {
                NDArray adversarial = attack.perturb(b.classifier(), b.inputs(), b.labels(), new SplittableRandom(1));
                assertArrayEquals(b.inputs().toFloatArray(), adversarial.toFloatArray(), 0f, attack.name());
            }
            return null;
        });
    }

    @Test
    public void sameSeedSameExamples() {
        PGDAttack attack = new PGDAttack(AttackNorm.LINF, 0.1, 5);
        float[] first = onTestBatch(RobustFixtures.standard(), b ->
                attack.perturb(b.classifier(), b.inputs(), b.labels(), new SplittableRandom(4)).toFloatArray());
        float[] second = onTestBatch(RobustFixtures.standard(), b ->
                attack.perturb(b.classifier(), b.inputs(), b.labels(), new SplittableRandom(4)).toFloatArray());
        assertArrayEquals(first, second, 0f);
    }

    @Test
    public void fgsmMatchesTheClosedFormOfALinearModel() {
        // a softmax regression z = W x + b: the cross-entropy's input gradient is W^T (softmax(z) - onehot(y))
        NetworkModel linear = new NetworkTrainer(new MLPSpec(64, new int[0], Activation.RELU, 0.0),
                new AdamOptimiserFactory(0.05), 3, 32, 2L).train(RobustFixtures.train());
        float[] w = linear.stateDict().get("head.weight").toFloatArray();
        float[] bias = linear.stateDict().get("head.bias").toFloatArray();
        int classes = bias.length;
        double epsilon = 0.07;
        TensorDataset data = TensorDataset.from(RobustFixtures.test(), new FeatureTensorizer(linear.getFeatureIDMap(),
                new Shape(64)), linear.getOutputIDInfo());
        try (NDManager manager = DjlRuntime.newManager(); NDScope scope = new NDScope();
             NetworkClassifier classifier = NetworkClassifier.of(linear)) {
            int[] all = Evaluation.range(0, data.size());
            NDArray inputs = data.features(manager, all);
            float[] x = inputs.toFloatArray();
            float[] adversarial = new FGSMAttack(AttackNorm.LINF, epsilon).perturb(classifier, inputs,
                    data.labels(manager, all), AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS, new SplittableRandom(1))
                    .toFloatArray();
            for (int n = 0; n < data.size(); n++) {
                double[] z = new double[classes];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    z[c] = bias[c];
                    for (int i = 0; i < 64; i++) {
                        z[c] += w[c * 64 + i] * x[n * 64 + i];
                    }
                    max = Math.max(max, z[c]);
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    z[c] = Math.exp(z[c] - max);
                    sum += z[c];
                }
                for (int i = 0; i < 64; i++) {
                    double g = 0;
                    for (int c = 0; c < classes; c++) {
                        g += w[c * 64 + i] * (z[c] / sum - (c == data.label(n) ? 1 : 0));
                    }
                    double expected = Math.min(1, Math.max(0, x[n * 64 + i] + epsilon * Math.signum(g)));
                    assertEquals(expected, adversarial[n * 64 + i], 1e-6, "example " + n + ", value " + i);
                }
            }
        }
    }

    @Test
    public void apgdNeverEndsBelowItsStartingLoss() {
        onTestBatch(RobustFixtures.standard(), b -> {
            NDArray adversarial = new APGDAttack(AttackNorm.LINF, 0.05, 12, 0.75, 0.75, false, 1).perturb(b.classifier(),
                    b.inputs(), b.labels(), AttackLoss.CROSS_ENTROPY, AttackGoal.MAXIMISE_LOSS,
                    new SplittableRandom(TestSeeds.of(2)));
            try (GradientMode off = GradientMode.disabled()) {
                float[] before = AttackLoss.CROSS_ENTROPY.perExample(b.classifier().logits(b.inputs()), b.labels())
                        .toFloatArray();
                float[] after = AttackLoss.CROSS_ENTROPY.perExample(b.classifier().logits(adversarial), b.labels())
                        .toFloatArray();
                double gained = 0;
                for (int i = 0; i < before.length; i++) {
                    assertTrue(after[i] >= before[i] - 1e-5, "example " + i + ": loss fell from " + before[i] + " to " + after[i]);
                    gained += after[i] - before[i];
                }
                assertTrue(gained > 0, "APGD did not raise the loss at all");
            }
            return null;
        });
    }

    @Test
    public void settingsRoundTripThroughConfiguration() {
        Helpers.testConfigurableRoundtrip(new FGSMAttack(AttackNorm.L2, 0.3));
        Helpers.testConfigurableRoundtrip(new PGDAttack(AttackNorm.LINF, 0.1, 0.01, 7, false, 3));
        Helpers.testConfigurableRoundtrip(new APGDAttack(AttackNorm.L2, 0.5, 50, 0.7, 0.8, true, 2));
        PGDAttack scaled = new PGDAttack(AttackNorm.LINF, 0.1, 0.02, 10, true, 1).withEpsilon(0.2);
        assertEquals(0.2, scaled.epsilon());
        assertEquals(0.04, scaled.effectiveStepSize(), 1e-12);
        assertEquals(2.5 * 0.1 / 20, new PGDAttack(AttackNorm.LINF, 0.1, 20).effectiveStepSize(), 1e-12);
    }

    @Test
    public void badSettingsAndBatchesAreRejected() {
        PropertyException negative = assertThrows(PropertyException.class, () -> new PGDAttack(AttackNorm.LINF, -0.1, 10));
        assertTrue(negative.getMessage().contains("epsilon must be finite and >= 0, found -0.1"), negative.getMessage());
        assertThrows(PropertyException.class, () -> new FGSMAttack(AttackNorm.LINF, -1));
        assertThrows(PropertyException.class, () -> new APGDAttack(AttackNorm.LINF, -0.5, 10));
        PropertyException steps = assertThrows(PropertyException.class, () -> new PGDAttack(AttackNorm.LINF, 0.1, 0));
        assertTrue(steps.getMessage().contains("steps must be at least 1"), steps.getMessage());
        assertThrows(PropertyException.class, () -> new APGDAttack(AttackNorm.LINF, 0.1, 10, 1.5, 0.75, true, 1));
        onTestBatch(RobustFixtures.standard(), b -> {
            NDArray wrongShape = b.inputs().reshape(b.inputs().getShape().get(0), 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                    new PGDAttack(AttackNorm.LINF, 0.1, 2).perturb(b.classifier(), wrongShape, b.labels(), new SplittableRandom(1)));
            assertTrue(e.getMessage().contains("the classifier takes inputs of shape"), e.getMessage());
            return null;
        });
    }
}
