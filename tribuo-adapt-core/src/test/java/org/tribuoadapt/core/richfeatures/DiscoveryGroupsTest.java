package org.tribuoadapt.core.richfeatures;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

public class DiscoveryGroupsTest {

    @Test
    public void beforeAnyRoundTheOneGroupIsTheWholeDataset() {
        DiscoveryGroups groups = new DiscoveryGroups(3);
        assertEquals(List.of("all"), groups.names());
        assertEquals(1, groups.members().size());
        assertArrayEquals(new int[] {0, 1, 2}, groups.members().get(0));
        assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, groups.balancedWeights(), 1e-12);
    }

    @Test
    public void eachRoundAddsItsSolvedAndUnsolvedExamples() {
        DiscoveryGroups groups = new DiscoveryGroups(5);
        groups.addRound(new boolean[] {true, true, true, false, false});
        groups.addRound(new boolean[] {true, false, true, true, true});
        assertEquals(List.of("A1", "B1", "A2", "B2"), groups.names());
        List<int[]> members = groups.members();
        assertArrayEquals(new int[] {0, 1, 2}, members.get(0));
        assertArrayEquals(new int[] {3, 4}, members.get(1));
        assertArrayEquals(new int[] {0, 2, 3, 4}, members.get(2));
        assertArrayEquals(new int[] {1}, members.get(3));
        assertEquals(3, groups.solved(1));
        assertEquals(4, groups.solved(2));
        // cells (round 1, round 2): {0, 2} = (1, 1), {1} = (1, 0), {3, 4} = (0, 1); three cells of equal weight 1/3
        assertArrayEquals(new double[] {1.0 / 6, 1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 6}, groups.balancedWeights(), 1e-12);
    }

    @Test
    public void emptyGroupsAreLeftOut() {
        DiscoveryGroups groups = new DiscoveryGroups(3);
        groups.addRound(new boolean[] {true, true, true});
        assertEquals(List.of("A1"), groups.names());
        assertEquals(1, groups.members().size());
    }

    @Test
    public void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new DiscoveryGroups(0));
        DiscoveryGroups groups = new DiscoveryGroups(3);
        assertThrows(IllegalArgumentException.class, () -> groups.addRound(new boolean[] {true, false}));
    }
}
