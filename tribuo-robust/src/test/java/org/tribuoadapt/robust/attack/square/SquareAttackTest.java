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
import org.tribuoadapt.robust.testing.OnnxBlackBox;
import org.tribuoadapt.robust.testing.RobustFixtures;
import org.tribuoadapt.core.testing.TestSeeds;

import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
