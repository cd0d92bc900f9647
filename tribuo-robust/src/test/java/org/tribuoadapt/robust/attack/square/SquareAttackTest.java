package org.tribuoadapt.robust.attack.square;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.interop.onnx.ONNXExternalModel;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.robust.attack.AttackNorm;
import org.tribuoadapt.robust.testing.OnnxBlackBox;
import org.tribuoadapt.robust.testing.RobustFixtures;
import org.tribuoadapt.core.testing.TestSeeds;

import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class SquareAttackTest {

    private static double accuracy(Model<Label> model, List<Example<Label>> examples) {
        int right = 0;
        for (int i = 0; i < examples.size(); i++) {
            right += model.predict(examples.get(i)).getOutput().getLabel().equals(examples.get(i).getOutput().getLabel()) ? 1 : 0;
        }
        return (double) right / examples.size();
    }

    @Test
    public void lowersTheAccuracyOfABlackBoxOnnxModelWithinTheBudget(@TempDir Path dir) throws Exception {
        try (ONNXExternalModel<Label> blackBox = OnnxBlackBox.create(dir)) {
            List<Example<Label>> clean = RobustFixtures.test().getData();
            double before = accuracy(blackBox, clean);
            assertTrue(before > 0.9, "clean accuracy " + before);
            SquareAttack attack = new SquareAttack(0.1, 300, 1, 8, 8);
            List<Example<Label>> adversarial = attack.perturb(blackBox, clean, new SplittableRandom(TestSeeds.of(7)));
            double after = accuracy(blackBox, adversarial);
            assertTrue(after < before - 0.3, "the Square attack only moved accuracy from " + before + " to " + after);
            FeatureTensorizer flat = new FeatureTensorizer(blackBox.getFeatureIDMap(), new Shape(64));
            float[] x = flat.toArray(clean);
            float[] a = flat.toArray(adversarial);
            for (int i = 0; i < x.length; i++) {
                assertTrue(a[i] >= 0f && a[i] <= 1f, "value " + a[i] + " left [0, 1]");
                assertTrue(Math.abs(a[i] - x[i]) <= 0.1 + 1e-6, "change " + (a[i] - x[i]) + " exceeds epsilon");
            }
            for (int i = 0; i < clean.size(); i++) {
                assertEquals(clean.get(i).getOutput(), adversarial.get(i).getOutput());
            }
        }
    }

    @Test
    public void squareShareFollowsTheHalvingSchedule() {
        SquareAttack attack = new SquareAttack(0.1, 10000, 0.8, 1, 8, 8, 16);
        assertEquals(0.8, attack.share(1), 1e-12);
        assertEquals(0.8, attack.share(10), 1e-12);
        assertEquals(0.4, attack.share(11), 1e-12);
        assertEquals(0.2, attack.share(51), 1e-12);
        assertEquals(0.8 / 512, attack.share(9999), 1e-12);
        // with a budget of 1000 queries the schedule is ten times faster
        assertEquals(0.4, new SquareAttack(0.1, 1000, 0.8, 1, 8, 8, 16).share(2), 1e-12);
    }

    @Test
    public void rejectsBadSettingsAndModels() {
        PropertyException e = assertThrows(PropertyException.class, () -> new SquareAttack(-0.1, 10, 1, 8, 8));
        assertTrue(e.getMessage().contains("epsilon must be finite and >= 0"), e.getMessage());
        assertThrows(PropertyException.class, () -> new SquareAttack(0.1, 10, 0.0, 1, 8, 8, 4));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () ->
                new SquareAttack(0.1, 10, 1, 28, 28).perturb(RobustFixtures.standard(), RobustFixtures.test().getData(),
                        new SplittableRandom(1)));
        assertTrue(shape.getMessage().contains("configured for 1x28x28 images"), shape.getMessage());
        Helpers.testConfigurableRoundtrip(new SquareAttack(0.05, 500, 0.3, 1, 8, 8, 32));
    }

    private static float[] grey(int examples, int size) {
        float[] clean = new float[examples * size];
        Arrays.fill(clean, 0.5f);
        return clean;
    }

    private static double l2(float[] a, float[] b, int from, int size) {
        double total = 0;
        for (int i = 0; i < size; i++) {
            double d = a[from + i] - b[from + i];
            total += d * d;
        }
        return Math.sqrt(total);
    }

    @Test
    public void theL2UpdateSquareHasUnitNormAndOppositeHalves() {
        double[] eta = SquareL2.eta(5, false);
        double total = 0;
        for (double v : eta) {
            total += v * v;
        }
        assertEquals(1.0, total, 1e-12);
        // rows 0-1 are positive, rows 2-4 negative; each half peaks at its centre
        for (int c = 0; c < 5; c++) {
            assertTrue(eta[c] > 0 && eta[5 + c] > 0, Arrays.toString(eta));
            assertTrue(eta[10 + c] < 0 && eta[15 + c] < 0 && eta[20 + c] < 0, Arrays.toString(eta));
        }
        assertTrue(eta[3 * 5 + 2] < eta[2 * 5 + 2] && eta[3 * 5 + 2] < eta[3 * 5], "the centre of the lower half is largest");
        double[] transposed = SquareL2.eta(5, true);
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 5; c++) {
                assertEquals(eta[r * 5 + c], transposed[c * 5 + r], 0.0);
            }
        }
        // a 1x1 square is the single value -1 (its upper half is empty)
        assertArrayEquals(new double[] {-1.0}, SquareL2.eta(1, false), 0.0);
    }

    @Test
    public void everyL2QueryKeepsTheNormAtEpsilonInsideTheBox() {
        // on a grey image no value reaches the box, so every queried point lies on the L2 sphere of radius epsilon
        int size = 2 * 10 * 10;
        float[] clean = grey(3, size);
        SquareAttack attack = new SquareAttack(AttackNorm.L2, 0.4, 60, 0.8, true, 2, 10, 10, 8);
        int[] checked = new int[1];
        SquareAttack.Search search = attack.search(clean, 3, (values, which) -> {
            for (int a = 0; a < which.length; a++) {
                assertEquals(0.4, l2(values, clean, a * size, size), 1e-4);
                for (int i = 0; i < size; i++) {
                    assertTrue(values[a * size + i] >= 0f && values[a * size + i] <= 1f);
                }
                checked[0]++;
            }
            double[] margins = new double[which.length];
            Arrays.fill(margins, 1.0);
            return margins;
        }, new SplittableRandom(TestSeeds.of(3)));
        assertEquals(3 * 60, checked[0]);
        for (int i = 0; i < 3; i++) {
            assertEquals(0.4, l2(search.points(), clean, i * size, size), 1e-4);
        }
    }

    @Test
    public void queriesAreCountedPerExampleAndStopAtMisclassification() {
        int size = 64;
        for (AttackNorm norm : AttackNorm.values()) {
            SquareAttack attack = new SquareAttack(norm, 0.3, 25, 0.8, true, 1, 8, 8, 8);
            int[] perExample = new int[3];
            // example 0 is never fooled, example 1 is fooled at its start, example 2 by its 5th query
            SquareAttack.Search search = attack.search(grey(3, size), 3, (values, which) -> {
                double[] margins = new double[which.length];
                for (int a = 0; a < which.length; a++) {
                    int i = which[a];
                    perExample[i]++;
                    margins[a] = i == 0 ? 1.0 : i == 1 ? -1.0 : (perExample[i] >= 5 ? -1.0 : 1.0 / perExample[i]);
                }
                return margins;
            }, new SplittableRandom(TestSeeds.of(4)));
            assertArrayEquals(new int[] {25, 1, 5}, search.queries(), norm.toString());
            assertArrayEquals(perExample, search.queries(), norm.toString());
        }
    }

    @Test
    public void theSameSeedGivesTheSameL2Attack() {
        SquareAttack attack = new SquareAttack(AttackNorm.L2, 0.8, 40, 1, 8, 8);
        List<Example<Label>> clean = RobustFixtures.test().getData().subList(0, 20);
        FeatureTensorizer flat = new FeatureTensorizer(RobustFixtures.standard().getFeatureIDMap(), new Shape(64));
        float[] first = flat.toArray(attack.perturb(RobustFixtures.standard(), clean, new SplittableRandom(TestSeeds.of(5))));
        float[] second = flat.toArray(attack.perturb(RobustFixtures.standard(), clean, new SplittableRandom(TestSeeds.of(5))));
        float[] other = flat.toArray(attack.perturb(RobustFixtures.standard(), clean, new SplittableRandom(TestSeeds.of(6))));
        assertArrayEquals(first, second);
        assertFalse(Arrays.equals(first, other));
    }

    @Test
    public void theL2AttackLowersTheAccuracyOfATrainedNetworkWithinTheBudget() {
        Model<Label> model = RobustFixtures.standard();
        List<Example<Label>> clean = RobustFixtures.test().getData();
        double before = accuracy(model, clean);
        SquareAttack attack = new SquareAttack(AttackNorm.L2, 1.0, 200, 1, 8, 8);
        assertEquals("square-l2-200", attack.name());
        List<Example<Label>> adversarial = attack.perturb(model, clean, new SplittableRandom(TestSeeds.of(8)));
        double after = accuracy(model, adversarial);
        assertTrue(after < before - 0.2, "the L2 Square attack only moved accuracy from " + before + " to " + after);
        FeatureTensorizer flat = new FeatureTensorizer(model.getFeatureIDMap(), new Shape(64));
        float[] x = flat.toArray(clean);
        float[] a = flat.toArray(adversarial);
        for (int i = 0; i < clean.size(); i++) {
            assertTrue(l2(a, x, i * 64, 64) <= 1.0 + 1e-5, "example " + i + " moved " + l2(a, x, i * 64, 64));
        }
        for (float v : a) {
            assertTrue(v >= 0f && v <= 1f, "value " + v + " left [0, 1]");
        }
        Helpers.testConfigurableRoundtrip(new SquareAttack(AttackNorm.L2, 0.5, 300, 0.4, false, 1, 8, 8, 16));
    }

    @Test
    public void withoutRescalingTheScheduleCountsRawIterations() {
        SquareAttack attack = new SquareAttack(AttackNorm.LINF, 0.1, 5000, 0.8, false, 1, 8, 8, 16);
        assertEquals(0.8, attack.share(10), 1e-12);
        assertEquals(0.4, attack.share(11), 1e-12);
        // at 4999 of 5000 queries seven schedule points have passed, where the rescaled schedule passes all nine
        assertEquals(0.8 / 128, attack.share(4999), 1e-12);
        assertEquals(0.8 / 512, new SquareAttack(AttackNorm.LINF, 0.1, 5000, 1, 8, 8).share(4999), 1e-12);
    }
}
