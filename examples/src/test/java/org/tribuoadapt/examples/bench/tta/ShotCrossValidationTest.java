package org.tribuoadapt.examples.bench.tta;

import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ShotCrossValidationTest {

    /** k shots of each of the given classes, class-major, each carrying its index as the feature "id". */
    private static MutableDataset<Label> shots(int classes, int k) {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> data = new MutableDataset<>(new SimpleDataSourceProvenance("shots", factory), factory);
        int id = 0;
        for (int c = 0; c < classes; c++) {
            for (int s = 0; s < k; s++) {
                data.add(new ArrayExample<>(new Label("c" + c), new String[] {"id"}, new double[] {id++}));
            }
        }
        return data;
    }

    private static Set<Integer> ids(List<Example<Label>> examples) {
        Set<Integer> out = new HashSet<>();
        for (Example<Label> e : examples) {
            out.add((int) e.lookup("id").getValue());
        }
        return out;
    }

    @Test
    public void foldCountGrowsWithTheShotsUpToTheMaximum() {
        assertEquals(2, ShotCrossValidation.foldCount(1));
        assertEquals(2, ShotCrossValidation.foldCount(2));
        assertEquals(3, ShotCrossValidation.foldCount(3));
        assertEquals(3, ShotCrossValidation.foldCount(10));
    }

    @Test
    public void foldsAreStratifiedByRankAndClass() {
        // one shot per class: the classes alternate between two folds
        assertArrayEquals(new int[] {0, 1, 0, 1}, ShotCrossValidation.folds(shots(4, 1)));
        // 5 shots of 2 classes in 3 folds: fold (rank + class) mod 3
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 1, 2, 0, 1, 2}, ShotCrossValidation.folds(shots(2, 5)));
    }

    @Test
    public void everyFoldTrainsOnTheOthersAndTheBestRateWins() {
        MutableDataset<Label> data = shots(3, 4);
        List<Set<Integer>> heldOutSets = new ArrayList<>();
        ShotCrossValidation cv = new ShotCrossValidation(List.of(0.1, 0.01, 1.0));
        ShotCrossValidation.Selection chosen = cv.select(data, (rate, train, heldOut) -> {
            Set<Integer> trainIds = ids(train);
            Set<Integer> heldOutIds = ids(heldOut);
            assertTrue(trainIds.stream().noneMatch(heldOutIds::contains), "a held-out shot was trained on");
            assertEquals(data.size(), trainIds.size() + heldOutIds.size());
            if (rate == 0.1) {
                heldOutSets.add(heldOutIds);
            }
            // 0.1 predicts every held-out shot, 0.01 one per fold, 1.0 none
            return rate == 0.1 ? heldOut.size() : rate == 0.01 ? 1 : 0;
        });
        assertEquals(3, chosen.folds());
        // the held-out folds partition the shots
        Set<Integer> all = new HashSet<>();
        heldOutSets.forEach(all::addAll);
        assertEquals(3, heldOutSets.size());
        assertEquals(data.size(), all.size());
        assertEquals(0.1, chosen.learningRate());
        assertEquals(Map.of(0.1, 1.0, 0.01, 3.0 / 12, 1.0, 0.0), chosen.accuracies());
    }

    @Test
    public void tiesGoToTheSmallerRate() {
        ShotCrossValidation cv = new ShotCrossValidation(List.of(1e-2, 1e-3, 1e-1));
        assertEquals(1e-3, cv.select(shots(2, 2), (rate, train, heldOut) -> 1).learningRate());
    }

    @Test
    public void impossibleSettingsSayWhatIsWrong() {
        assertEquals("cross-validation needs at least one candidate learning rate", assertThrows(
                IllegalArgumentException.class, () -> new ShotCrossValidation(List.of())).getMessage());
        assertEquals("candidate learning rates must be positive and finite, found -0.1", assertThrows(
                IllegalArgumentException.class, () -> new ShotCrossValidation(List.of(1e-3, -0.1))).getMessage());
        ShotCrossValidation cv = new ShotCrossValidation(List.of(1e-3));
        assertEquals("cross-validation needs shots to train on and to hold out, found 1 shot(s) of 1 class(es)",
                assertThrows(IllegalArgumentException.class, () -> cv.select(shots(1, 1), (r, t, h) -> 0))
                        .getMessage());
        assertEquals("cross-validation needs shots, found none", assertThrows(IllegalArgumentException.class,
                () -> cv.select(shots(0, 1), (r, t, h) -> 0)).getMessage());
    }
}
