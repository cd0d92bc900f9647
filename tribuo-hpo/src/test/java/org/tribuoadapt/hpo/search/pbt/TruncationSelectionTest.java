package org.tribuoadapt.hpo.search.pbt;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.hpo.search.Direction;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TruncationSelectionTest {

    private static final Map<Integer, Double> SCORES = Map.of(0, 0.9, 1, 0.5, 2, 0.7, 3, 0.1, 4, 0.3, 5, 0.8, 6, 0.2, 7, 0.6);

    @Test
    void theBottomQuarterCopiesAMemberOfTheTopQuarter() {
        TruncationSelection selection = new TruncationSelection(Direction.MAXIMIZE, 0.25);
        assertEquals(List.of(0, 5, 2, 7, 1, 4, 6, 3), selection.ranked(SCORES));
        assertEquals(2, selection.groupSize(8));
        for (int member : List.of(0, 1, 2, 4, 5, 7)) {
            assertTrue(selection.donor(member, SCORES, new SplittableRandom(1)).isEmpty(), "member " + member);
        }
        Set<Integer> donors = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            for (int member : List.of(3, 6)) {
                OptionalInt donor = selection.donor(member, SCORES, new SplittableRandom(seed));
                // the donor is the top group's entry at the generator's first draw
                assertEquals(List.of(0, 5).get(new SplittableRandom(seed).nextInt(2)), donor.getAsInt());
                donors.add(donor.getAsInt());
            }
        }
        assertEquals(Set.of(0, 5), donors);
    }

    @Test
    void minimisingReversesTheRanking() {
        TruncationSelection selection = new TruncationSelection(Direction.MINIMIZE, 0.25);
        assertEquals(List.of(3, 6, 4, 1, 7, 2, 5, 0), selection.ranked(SCORES));
        assertTrue(selection.donor(3, SCORES, new SplittableRandom(1)).isEmpty());
        int donor = selection.donor(0, SCORES, new SplittableRandom(2)).getAsInt();
        assertTrue(donor == 3 || donor == 6, "donor " + donor);
    }

    @Test
    void groupSizesAndTies() {
        TruncationSelection quarter = new TruncationSelection(Direction.MAXIMIZE, 0.25);
        assertEquals(0, quarter.groupSize(0));
        assertEquals(0, quarter.groupSize(1));
        assertEquals(1, quarter.groupSize(2));
        assertEquals(1, quarter.groupSize(4));
        assertEquals(2, quarter.groupSize(5));
        assertEquals(3, new TruncationSelection(Direction.MAXIMIZE, 0.3).groupSize(10));
        assertEquals(1, new TruncationSelection(Direction.MAXIMIZE, 0.5).groupSize(3));
        assertEquals(2, new TruncationSelection(Direction.MAXIMIZE, 0.5).groupSize(4));
        // a single scored member never exploits
        assertTrue(quarter.donor(0, Map.of(0, 0.1), new SplittableRandom(1)).isEmpty());
        // equal scores rank the lower member first, so the higher one is at the bottom
        assertEquals(List.of(0, 1), quarter.ranked(Map.of(1, 0.5, 0, 0.5)));
        assertEquals(0, quarter.donor(1, Map.of(1, 0.5, 0, 0.5), new SplittableRandom(1)).getAsInt());
    }

    @Test
    void badSettingsAndScoresAreRejected() {
        for (double q : new double[] {0, -0.1, 0.51, 1, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TruncationSelection(Direction.MAXIMIZE, q));
            assertTrue(e.getMessage().contains("quantile must be in (0, 0.5]"), e.getMessage());
        }
        TruncationSelection selection = new TruncationSelection(Direction.MAXIMIZE, 0.25);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> selection.donor(0, Map.of(0, 0.1, 1, Double.NaN), new SplittableRandom(1)));
        assertTrue(nan.getMessage().contains("member 1 has the score NaN"), nan.getMessage());
        IllegalArgumentException unscored = assertThrows(IllegalArgumentException.class,
                () -> selection.donor(2, Map.of(0, 0.1, 1, 0.2), new SplittableRandom(1)));
        assertTrue(unscored.getMessage().contains("member 2 has no score"), unscored.getMessage());
    }
}
