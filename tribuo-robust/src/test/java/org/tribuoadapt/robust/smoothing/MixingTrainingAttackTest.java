package org.tribuoadapt.robust.smoothing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.DjlRuntime;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.core.train.Evaluation;
import org.tribuoadapt.robust.attack.AttackGoal;
import org.tribuoadapt.robust.attack.AttackLoss;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paper's APGD training of the mixing network: an APGD-CE copy plus APGD-T copies at the composite model's most
 * likely wrong classes, for as many inputs as keep attacked and clean examples equally many.
 */
public class MixingTrainingAttackTest {

    private static final int CLASSES = 5;
    private static final double EPSILON = 0.1;
    private static MutableDataset<Label> data;
    private static NetworkModel standard;
    private static NetworkModel robust;

    private static synchronized MutableDataset<Label> data() {
        if (data == null) {
            data = SyntheticImages.dataset(60, CLASSES, RobustFixtures.SIZE, TestSeeds.of(61));
        }
        return data;
    }

    private static synchronized NetworkModel standard() {
        if (standard == null) {
            standard = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 2, 20, TestSeeds.of(62))
                    .train(data());
        }
        return standard;
    }

    private static synchronized NetworkModel robust() {
        if (robust == null) {
            robust = new NetworkTrainer(RobustFixtures.cnn(), new AdamOptimiserFactory(0.01), 2, 20, TestSeeds.of(63))
                    .train(data());
        }
        return robust;
    }

    private static MixingNetworkSpec spec() {
        return new MixingNetworkSpec("pool1", "pool1", 4, 8, MixingNetworkSpec.Variant.PAPER)
                .withRobustSecondLayer("pool2");
    }

    private static MixingNetworkTrainer trainer() {
        return new MixingNetworkTrainer(standard(), robust(), spec(), new APGDAttack(AttackNorm.LINF, EPSILON, 2),
                new AdamOptimiserFactory(0.01), 1, 20, TestSeeds.of(64))
                .withTargetedCopies(new APGDTargetedAttack(AttackNorm.LINF, EPSILON, 2, 3));
    }

    @Test
    public void attacksAsManyCopiesAsKeepCleanAndAttackedBalanced() {
        assertEquals(7, MixingObjective.attackedInputs(64, 10), "the paper's 9 targets: 7 inputs, 70 attacked copies");
        assertEquals(10, MixingObjective.attackedInputs(10, 1), "one copy of every input, without targets");
        assertEquals(3, MixingObjective.attackedInputs(10, 4));
        assertEquals(1, MixingObjective.attackedInputs(1, 10));
    }

    @Test
    public void targetedCopiesAimAtTheCompositesMostLikelyWrongClasses() {
        MixingNetworkSpec spec = spec();
        Shape[] shapes = MixedNetworks.featureShapes(spec, standard(), robust());
        APGDAttack untargeted = new APGDAttack(AttackNorm.LINF, EPSILON, 3);
        APGDTargetedAttack targeted = new APGDTargetedAttack(AttackNorm.LINF, EPSILON, 3, 3);
        TensorDataset tensors = TensorDataset.from(data(), new org.tribuoadapt.core.bridge.FeatureTensorizer(
                standard().getFeatureIDMap(), standard().spec().inputShape()), standard().getOutputIDInfo());
        try (Network mixer = spec.build(shapes[0], shapes[1], TestSeeds.of(65));
             MixedNetworks composite = MixedNetworks.mixing(standard(), robust(), spec, mixer, false, 1.0, 1.0);
             NDManager m = DjlRuntime.newManager(); NDScope scope = new NDScope()) {
            int[] batch = Evaluation.range(0, 10);
            NDArray x = tensors.features(m, batch);
            NDArray y = tensors.labels(m, batch);
            MixingObjective objective = new MixingObjective(composite, untargeted, targeted,
                    new MixingLossWeights(1.5, 0.0, 0.3, 1.0), new SplittableRandom(TestSeeds.of(66)));
            NDArray prepared = objective.prepareInputs(mixer, x, y, ForwardContext.training(m));
            // 10 clean inputs; the first ceil(10 / 4) = 3 get an APGD-CE copy and 3 APGD-T copies
            assertEquals(new Shape(10 + 4 * 3).addAll(x.getShape().slice(1)), prepared.getShape());
            assertArrayEquals(x.toFloatArray(), prepared.get(new NDIndex("0:10")).toFloatArray());

            NDArray targets = targeted.targetClasses(composite, x);
            float[] logits;
            try (GradientMode off = GradientMode.disabled()) {
                logits = composite.logits(x, ForwardContext.inference(m)).toFloatArray();
            }
            long[] targetIds = targets.toLongArray();
            for (int i = 0; i < 10; i++) {
                int row = i;
                Integer[] ranked = IntStream.range(0, CLASSES).boxed()
                        .sorted(Comparator.comparingDouble(c -> -logits[row * CLASSES + c])).toArray(Integer[]::new);
                for (int k = 0; k < 3; k++) {
                    assertEquals((long) ranked[k + 1], targetIds[i * 3 + k], "example " + i + ", target " + k);
                }
            }
            // the same random stream reproduces every block: APGD-CE first, then one APGD-T run per target
            SplittableRandom rng = new SplittableRandom(TestSeeds.of(66));
            NDIndex first = new NDIndex("0:3");
            NDArray expected = untargeted.perturb(composite, x.get(first), y.get(first), AttackLoss.CROSS_ENTROPY,
                    AttackGoal.MAXIMISE_LOSS, rng);
            for (int k = 0; k < 3; k++) {
                NDArray copy = targeted.perturbTowards(composite, x.get(first), y.get(first),
                        targets.get(first).get(new NDIndex(":, {}", k)), rng);
                assertTrue(copy.sub(x.get(first)).abs().max().getFloat() <= EPSILON + 1e-6, "copy " + k + " in budget");
                expected = expected.concat(copy, 0);
            }
            assertArrayEquals(expected.toFloatArray(), prepared.get(new NDIndex("10:")).toFloatArray());
        }
    }

    @Test
    public void theLossLabelsCleanZeroAndEveryCopyOne() {
        MixingNetworkSpec spec = new MixingNetworkSpec("pool1", "pool1", 4, 8);
        Shape[] shapes = MixedNetworks.featureShapes(spec, standard(), robust());
        TensorDataset tensors = TensorDataset.from(data(), new org.tribuoadapt.core.bridge.FeatureTensorizer(
                standard().getFeatureIDMap(), standard().spec().inputShape()), standard().getOutputIDInfo());
        try (Network mixer = spec.build(shapes[0], shapes[1], TestSeeds.of(67));
             MixedNetworks composite = MixedNetworks.mixing(standard(), robust(), spec, mixer, false, 1.0, 1.0);
             NDManager m = DjlRuntime.newManager(); NDScope scope = new NDScope();
             GradientMode off = GradientMode.disabled()) {
            MixingObjective objective = new MixingObjective(composite, new APGDAttack(AttackNorm.LINF, EPSILON, 1),
                    new APGDTargetedAttack(AttackNorm.LINF, EPSILON, 1, 2), new MixingLossWeights(1.5, 0.2, 0.3, 0.5),
                    new SplittableRandom(1));
            NDArray x = tensors.features(m, Evaluation.range(0, 6));
            NDArray y = tensors.labels(m, Evaluation.range(0, 6));
            // 6 clean inputs, then 3 copies (one untargeted, two targeted) of the first ceil(6 / 3) = 2
            NDArray inputs = x.concat(tensors.features(m, Evaluation.range(10, 16)), 0);
            long[] labels = y.toLongArray();
            long[] all = new long[12];
            for (int i = 0; i < 12; i++) {
                all[i] = i < 6 ? labels[i] : labels[(i - 6) % 2];
            }
            MixedNetworks.Parts parts = composite.parts(inputs);
            float[] logP = composite.mix(parts).toFloatArray();
            float[] gamma = parts.gamma().toFloatArray();
            double expected = 0;
            for (int i = 0; i < 12; i++) {
                double target = i < 6 ? 0 : 1;
                double bce = Math.log1p(Math.exp(gamma[i])) - gamma[i] * target;
                double ce = -logP[i * CLASSES + (int) all[i]];
                expected += (i < 6 ? 0.5 : 1.0) * (1.5 * bce + 0.2 * ce + 0.3 * bce * ce);
            }
            double loss = objective.loss(mixer, inputs, y, ForwardContext.inference(m)).getFloat();
            assertEquals(expected / 12, loss, 1e-5);
            IllegalStateException wrongSize = assertThrows(IllegalStateException.class,
                    () -> objective.loss(mixer, inputs.get(new NDIndex("0:11")), y, ForwardContext.inference(m)));
            assertTrue(wrongSize.getMessage().contains("expected 6 clean ones"), wrongSize.getMessage());
        }
    }

    @Test
    public void recordsTheTargetedAttackAndRoundTrips(@TempDir Path dir) throws Exception {
        MixingNetworkTrainer trainer = trainer();
        MixingNetworkModel model = trainer.train(data());
        assertTrue(model.getProvenance().getTrainerProvenance().getConfiguredParameters().get("targetedAttack")
                .toString().contains("APGDTargetedAttack"));
        assertTrue(trainer.toString().contains("targetedAttack=APGDTargetedAttack"), trainer.toString());
        Helpers.testModelProtoSerialization(model, Label.class, data());

        Path standardFile = dir.resolve("standard.tribuo");
        Path robustFile = dir.resolve("robust.tribuo");
        standard().serializeToFile(standardFile);
        robust().serializeToFile(robustFile);
        MixingNetworkTrainer fromFiles = trainer.forBaseFiles(standardFile, robustFile);
        Helpers.testConfigurableRoundtrip(fromFiles);
        // the copy keeps the targeted copies: the same seed on the same bases gives the same mixing network
        assertArrayEquals(model.mixingWeights(), fromFiles.train(data()).mixingWeights());
    }

    @Test
    public void rejectsBadSettings() {
        PropertyException norm = assertThrows(PropertyException.class, () -> new MixingNetworkTrainer(standard(),
                robust(), spec(), new APGDAttack(AttackNorm.L2, 0.5, 2), new AdamOptimiserFactory(0.01), 1, 20, 1L)
                .withTargetedCopies(new APGDTargetedAttack(AttackNorm.LINF, 0.5, 2, 3)));
        assertTrue(norm.getMessage().contains("share norm and budget"), norm.getMessage());
        PropertyException budget = assertThrows(PropertyException.class, () -> new MixingNetworkTrainer(standard(),
                robust(), spec(), new PGDAttack(AttackNorm.LINF, 0.1, 2), new AdamOptimiserFactory(0.01), 1, 20, 1L)
                .withTargetedCopies(new APGDTargetedAttack(AttackNorm.LINF, 0.2, 2, 3)));
        assertTrue(budget.getMessage().contains("0.2"), budget.getMessage());
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class, () -> new MixingNetworkTrainer(
                RobustFixtures.standard(), RobustFixtures.robust(), new MixingNetworkSpec("pool1", "pool1", 4, 8),
                new APGDAttack(AttackNorm.LINF, EPSILON, 1), new AdamOptimiserFactory(0.01), 1, 20, 1L)
                .withTargetedCopies(new APGDTargetedAttack(AttackNorm.LINF, EPSILON, 1, 9)).train(RobustFixtures.test()));
        assertTrue(classes.getMessage().contains("need at least 4 classes"), classes.getMessage());
        try (MixedNetworks composite = MixedNetworks.fixed(standard(), robust(), 0.5, 1.0, 1.0);
             NDManager m = DjlRuntime.newManager()) {
            NDArray x = m.zeros(new Shape(2).addAll(composite.inputShape()));
            NDArray y = m.create(new long[] {0, 1});
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () ->
                    new APGDTargetedAttack(AttackNorm.LINF, EPSILON, 1, 3).perturbTowards(composite, x, y,
                            m.create(new long[] {2}), new SplittableRandom(1)));
            assertTrue(shape.getMessage().contains("one target class per example"), shape.getMessage());
        }
    }
}
