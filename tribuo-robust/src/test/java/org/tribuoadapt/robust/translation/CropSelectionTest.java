package org.tribuoadapt.robust.translation;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.robust.testing.RobustFixtures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class CropSelectionTest {

    private static final int SIDE = RobustFixtures.SIZE;
    private static final String[] NAMES = SyntheticImages.featureNames(SIDE * SIDE);

    /** The 8x8 view of a larger scene whose top-left corner is at (top, left): a camera that moved. */
    private static float[] view(float[][] scene, int top, int left) {
        float[] out = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                out[y * SIDE + x] = scene[top + y][left + x];
            }
        }
        return out;
    }

    private static Example<Label> example(float[] pixels) {
        double[] values = new double[pixels.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = pixels[i];
        }
        return new ArrayExample<>(new Label("c0"), NAMES, values);
    }

    /** A logistic-regression base: any Tribuo classifier with probabilities will do, and this one trains at once. */
    private static Model<Label> base() {
        return new LinearSGDTrainer(new LogMulticlass(), SGD.getSimpleSGD(0.1), 5, 1L).train(RobustFixtures.test());
    }

    private static CropSelectionModel wrap(Model<Label> base, int margin, CropCriterion criterion) {
        return new CropSelectionTrainer(base, margin, criterion, 1, SIDE, SIDE).train(RobustFixtures.test());
    }

    @Test
    public void theContentCriterionPicksTheBrightestCropAndCentresIt() {
        CropWindows windows = new CropWindows(1, 5, 5, 1);
        assertEquals(9, windows.count());
        float[] image = new float[25];
        image[2 * 5 + 4] = 1f;   // row 2, column 4: only crops with left offset 2 hold it
        image[4 * 5 + 3] = 1f;   // row 4, column 3: only crops with top offset 2 hold it
        image[0] = 5f;           // the corner: only the crop at (0, 0) holds it, and it is the brightest
        assertEquals(0, windows.mostIntense(image, 0));
        image[0] = 0f;
        // both bright pixels lie in the crop at (2, 2) alone, candidate 2 * 3 + 2
        assertEquals(8, windows.mostIntense(image, 0));
        float[] centred = new float[25];
        windows.writeCentred(image, 0, 8, centred, 0);
        float[] expected = new float[25];
        expected[1 * 5 + 3] = 1f;   // (2, 4) moves by (-1, -1)
        expected[3 * 5 + 2] = 1f;   // (4, 3) likewise
        assertArrayEquals(expected, centred);
        // equal crops: the first in row-major order wins
        assertEquals(0, windows.mostIntense(new float[25], 0));
    }

    @Test
    public void theConfidenceCriterionKeepsTheMostConfidentCrop() {
        CropWindows windows = new CropWindows(1, 8, 8, 1);
        float[] rows = new float[9 * 3];
        for (int candidate = 0; candidate < 9; candidate++) {
            rows[candidate * 3] = 0.5f;
            rows[candidate * 3 + 1] = 0.3f;
            rows[candidate * 3 + 2] = 0.2f;
        }
        rows[4 * 3 + 1] = 0.7f;
        rows[4 * 3] = 0.1f;
        assertEquals(4, windows.mostConfident(rows, 3));
        rows[2 * 3 + 2] = 0.7f;   // a tie with candidate 4: the earlier one
        rows[2 * 3] = 0.1f;
        assertEquals(2, windows.mostConfident(rows, 3));
        rows[6 * 3 + 2] = 0.95f;  // the top probability counts, whatever its class
        assertEquals(6, windows.mostConfident(rows, 3));
        assertThrows(IllegalArgumentException.class, () -> windows.mostConfident(new float[8 * 3], 3));
        rows[0] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> windows.mostConfident(rows, 3));
    }

    @Test
    public void aOnePixelCameraShiftKeepsThePredictionWhereTheCriterionGuaranteesIt() {
        Model<Label> base = base();
        CropSelectionModel model = wrap(base, 1, CropCriterion.CONSISTENCY);
        CropWindows windows = new CropWindows(1, SIDE, SIDE, 1);
        SplittableRandom rng = new SplittableRandom(17);
        int guaranteed = 0;
        for (int trial = 0; trial < 40; trial++) {
            float[][] scene = new float[SIDE + 2][SIDE + 2];
            for (float[] row : scene) {
                for (int x = 0; x < row.length; x++) {
                    row[x] = (float) rng.nextDouble();
                }
            }
            float[] before = view(scene, 1, 1);
            float[] after = view(scene, 1, 2);   // the camera moved one pixel to the right
            int chosenBefore = windows.mostIntense(before, 0);
            int chosenAfter = windows.mostIntense(after, 0);
            // the guarantee: the chosen crop was not in the column the shift drops, and the new column did not win
            if (chosenBefore % 3 >= 1 && chosenAfter % 3 <= 1) {
                guaranteed++;
                assertEquals(chosenBefore - 1, chosenAfter, "the same content is chosen, one column to the left");
                List<Prediction<Label>> predictions = model.predict(List.of(example(before), example(after)));
                assertEquals(predictions.get(0).getOutput().getLabel(), predictions.get(1).getOutput().getLabel());
                Map<String, Label> first = predictions.get(0).getOutputScores();
                for (Map.Entry<String, Label> e : predictions.get(1).getOutputScores().entrySet()) {
                    assertEquals(first.get(e.getKey()).getScore(), e.getValue().getScore(), 1e-6, e.getKey());
                }
            }
        }
        assertTrue(guaranteed >= 10, "the guarantee applied to only " + guaranteed + " of 40 scenes");
    }

    @Test
    public void impossibleSettingsAreRefused() {
        Model<Label> base = base();
        for (int margin : new int[] {0, -1, 4, 9}) {
            PropertyException e = assertThrows(PropertyException.class,
                    () -> new CropSelectionTrainer(base, margin, CropCriterion.CONSISTENCY, 1, SIDE, SIDE));
            assertTrue(e.getMessage().contains("margin"), e.getMessage());
        }
        PropertyException shape = assertThrows(PropertyException.class,
                () -> new CropSelectionTrainer(base, 1, CropCriterion.CONSISTENCY, 1, 10, 10));
        assertTrue(shape.getMessage().contains("1x10x10"), shape.getMessage());
        assertThrows(PropertyException.class, () -> new CropSelectionTrainer(base, 1, null, 1, SIDE, SIDE));
        assertThrows(PropertyException.class, () -> new CropSelectionTrainer(base, 1, CropCriterion.CONSISTENCY, 0, SIDE, SIDE));
        assertThrows(PropertyException.class,
                () -> new CropSelectionTrainer((Path) null, 1, CropCriterion.CONSISTENCY, 1, SIDE, SIDE));
        Model<Label> hinge = new LinearSGDTrainer(new Hinge(), SGD.getSimpleSGD(0.1), 1, 1L).train(RobustFixtures.test());
        PropertyException probabilities = assertThrows(PropertyException.class,
                () -> new CropSelectionTrainer(hinge, 1, CropCriterion.CONFIDENCE, 1, SIDE, SIDE));
        assertTrue(probabilities.getMessage().contains("probabilities"), probabilities.getMessage());
    }

    @Test
    public void confidenceSelectionAndProvenanceRoundTrip(@TempDir Path dir) throws Exception {
        Model<Label> base = base();
        Path file = dir.resolve("base.tribuo");
        base.serializeToFile(file);
        CropSelectionTrainer trainer = new CropSelectionTrainer(file, 1, CropCriterion.CONFIDENCE, 1, SIDE, SIDE);
        CropSelectionModel model = trainer.train(RobustFixtures.test());
        // the wrapper's prediction is that of its most confident crop, so it is at least as confident as the base
        // on the centred middle crop
        List<Example<Label>> examples = new ArrayList<>(RobustFixtures.test().getData()).subList(0, 10);
        CropWindows windows = new CropWindows(1, SIDE, SIDE, 1);
        for (Example<Label> example : examples) {
            float[] pixels = new float[SIDE * SIDE];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) example.lookup(NAMES[i]).getValue();
            }
            float[] middle = new float[pixels.length];
            windows.writeCentred(pixels, 0, 4, middle, 0);
            double wrapped = model.predict(example).getOutput().getScore();
            double centre = base.predict(example(middle)).getOutput().getScore();
            assertTrue(wrapped >= centre - 1e-6, wrapped + " < " + centre);
        }
        Helpers.testModelProtoSerialization(model, Label.class, RobustFixtures.test());
        Helpers.testConfigurableRoundtrip(trainer);
        var instance = model.getProvenance().getInstanceProvenance().getMap();
        assertTrue(instance.containsKey(CropSelectionTrainer.BASE_PROVENANCE + "-sha256"), instance.toString());
        assertTrue(instance.containsKey(CropSelectionTrainer.BASE_PROVENANCE), instance.toString());
        var settings = model.getProvenance().getTrainerProvenance().getConfiguredParameters();
        assertEquals("CONFIDENCE", settings.get("criterion").toString());
        assertEquals("1", settings.get("margin").toString());
        assertTrue(settings.get("baseModelPath").toString().endsWith("base.tribuo"), settings.toString());
    }
}
