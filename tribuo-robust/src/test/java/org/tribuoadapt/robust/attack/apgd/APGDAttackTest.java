package org.tribuoadapt.robust.attack.apgd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.DjlRuntime;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * APGD's step-size schedule as the reference implementation (AutoAttack's {@code apgd}) computes it.
 */
public class APGDAttackTest {

    @Test
    public void checkpointsFollowTheReferencesIntegerSchedule() {
        // windows 22, 19, 16, 13, 10, 7, 6, 6: the paper's p = 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99
        assertEquals(List.of(22, 41, 57, 70, 80, 87, 93, 99), APGDAttack.checkpoints(100));
        // N = 20: windows floor(4.4) = 4, then shrinking by 1 down to 1 (rounding p_j N would give 5, 9, 12, ...)
        assertEquals(List.of(4, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), APGDAttack.checkpoints(20));
        assertEquals(IntStream.rangeClosed(1, 3).boxed().toList(), APGDAttack.checkpoints(3));
    }

    @Test
    public void halvesAsTheReferenceDecides() {
        try (NDManager m = DjlRuntime.newManager()) {
            // window 4, rho 0.75: 3 increases of 4 is "at most 0.75" and halves (the reference's <=), 4 does not
            NDArray increases = m.create(new float[] {3, 4, 4});
            NDArray notReduced = m.create(new boolean[] {false, false, true});
            NDArray bestAtLast = m.create(new float[] {1.0f, 2.0f, 2.0f});
            NDArray best = m.create(new float[] {1.5f, 2.0f, 2.0f});
            // example 1 has not improved since a checkpoint that did not halve it: condition 2 halves it
            assertArrayEquals(new boolean[] {true, true, false},
                    APGDAttack.halve(increases, 4, 0.75, notReduced, bestAtLast, best).toBooleanArray());
            // at the first checkpoint every example counts as halved, so stalling alone does not halve
            NDArray firstCheckpoint = m.create(new boolean[] {true, true, true});
            assertArrayEquals(new boolean[] {true, false, false},
                    APGDAttack.halve(increases, 4, 0.75, firstCheckpoint, bestAtLast, best).toBooleanArray());
        }
    }
}
