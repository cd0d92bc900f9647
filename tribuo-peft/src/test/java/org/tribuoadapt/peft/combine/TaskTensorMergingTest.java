package org.tribuoadapt.peft.combine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

public class TaskTensorMergingTest {

    @Test
    public void taskArithmeticIsTheWeightedSum() {
        assertArrayEquals(new float[] {6.5f, -1f}, TaskTensorMerging.taskArithmetic(
                List.of(new float[] {1, 2}, new float[] {3, -1}), new double[] {0.5, 2}));
    }

    @Test
    public void magnitudePruningKeepsTheLargestEntries() {
        assertArrayEquals(new float[] {0, -3, 2, 0}, TaskTensorMerging.keepLargest(new float[] {1, -3, 2, 0.5f}, 0.5));
        assertArrayEquals(new float[] {0, -3, 0, 0}, TaskTensorMerging.keepLargest(new float[] {1, -3, 2, 0.5f}, 0.3));
    }

    @Test
    public void magnitudePruneTrimsEachTaskThenSums() {
        List<float[]> tasks = List.of(new float[] {1, -2, 3, 0.1f}, new float[] {-1, -1, 2, 0.2f});
        // density 0.5: [0, -2, 3, 0] and [-1, 0, 2, 0] (the earlier -1 on ties), weighted 2 and -1, no sign election
        assertArrayEquals(new float[] {1, -4, 4, 0},
                TaskTensorMerging.magnitudePrune(tasks, new double[] {2, -1}, 0.5), 1e-6f);
        // density 1 keeps everything: the weighted sum
        assertArrayEquals(TaskTensorMerging.taskArithmetic(tasks, new double[] {2, -1}),
                TaskTensorMerging.magnitudePrune(tasks, new double[] {2, -1}, 1.0));
    }

    @Test
    public void tiesElectsSignsAndAveragesAgreeingEntries() {
        List<float[]> tasks = List.of(new float[] {1, -2, 3, 0.1f}, new float[] {-1, -1, 2, 0.2f});
        // signs elected by total mass [0, -3, 5, 0.3] -> [+, -, +, +]; entry 0 keeps only the positive task
        assertArrayEquals(new float[] {1, -1.5f, 2.5f, 0.15f},
                TaskTensorMerging.ties(tasks, new double[] {1, 1}, 1.0, MajoritySign.TOTAL), 1e-6f);
        // weights scale the kept entries, the count of agreeing tasks divides
        assertArrayEquals(new float[] {2, -2.5f, 4f, 0.2f},
                TaskTensorMerging.ties(tasks, new double[] {2, 1}, 1.0, MajoritySign.FREQUENCY), 1e-6f);
        // with density 0.5 each task keeps its two largest entries: [0, -2, 3, 0] and [-1, 0, 2, 0] (the earlier -1 on ties)
        assertArrayEquals(new float[] {-1, -2, 2.5f, 0},
                TaskTensorMerging.ties(tasks, new double[] {1, 1}, 0.5, MajoritySign.TOTAL), 1e-6f);
    }

    @Test
    public void dareDropsAtRandomAndRescales() {
        float[] ones = new float[20000];
        Arrays.fill(ones, 1f);
        float[] dropped = TaskTensorMerging.dareLinear(List.of(ones), new double[] {1}, 0.25, new SplittableRandom(3));
        double mean = 0;
        for (float v : dropped) {
            assertFalse(v != 0 && v != 4f, "kept entries are divided by the density");
            mean += v / dropped.length;
        }
        assertEquals(1.0, mean, 0.05, "DARE keeps the expectation");
        assertArrayEquals(dropped, TaskTensorMerging.dareLinear(List.of(ones), new double[] {1}, 0.25, new SplittableRandom(3)));
        assertFalse(Arrays.equals(dropped, TaskTensorMerging.dareLinear(List.of(ones), new double[] {1}, 0.25,
                new SplittableRandom(4))));
        assertArrayEquals(new float[] {2, 4}, TaskTensorMerging.dareTies(List.of(new float[] {1, 2}, new float[] {3, 6}),
                new double[] {1, 1}, 1.0, MajoritySign.TOTAL, new SplittableRandom(1)));
    }
}
