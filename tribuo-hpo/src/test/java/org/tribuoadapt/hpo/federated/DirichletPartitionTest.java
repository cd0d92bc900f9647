package org.tribuoadapt.hpo.federated;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Dirichlet sampler's moments and the non-i.i.d. client split.
 */
public class DirichletPartitionTest {

    private static int[] labels(int perClass, int classes) {
        int[] out = new int[perClass * classes];
        for (int i = 0; i < out.length; i++) {
            out[i] = i % classes;
        }
        return out;
    }

    @Test
    public void gammaAndDirichletHaveTheRightMoments() {
        SplittableRandom rng = new SplittableRandom(3);
        for (double shape : new double[] {0.3, 1.0, 4.0}) {
            double sum = 0;
            double squares = 0;
            int n = 40_000;
            for (int i = 0; i < n; i++) {
                double g = Dirichlet.gamma(shape, rng);
                sum += g;
                squares += g * g;
            }
            double mean = sum / n;
            double variance = squares / n - mean * mean;
            assertEquals(shape, mean, 0.03 * Math.max(1, shape), "Gamma(" + shape + ") mean");
            assertEquals(shape, variance, 0.08 * Math.max(1, shape), "Gamma(" + shape + ") variance");
        }
        double[] total = new double[5];
        for (int i = 0; i < 10_000; i++) {
            double[] p = Dirichlet.sample(5, 0.5, rng);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-12);
            for (int k = 0; k < 5; k++) {
                total[k] += p[k];
            }
        }
        for (double t : total) {
            assertEquals(0.2, t / 10_000, 0.01);
        }
    }

    @Test
    public void everyExampleGoesToExactlyOneClientAndTheSplitIsSeeded() {
        int[] labels = labels(100, 10);
        DirichletPartition a = DirichletPartition.split(labels, 10, 20, 0.5, 7L, 2);
        DirichletPartition b = DirichletPartition.split(labels, 10, 20, 0.5, 7L, 2);
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < 20; k++) {
            assertArrayEquals(a.client(k), b.client(k));
            assertTrue(a.client(k).length >= 2);
            for (int i : a.client(k)) {
                assertTrue(seen.add(i), "example " + i + " assigned twice");
            }
        }
        assertEquals(labels.length, seen.size());
        DirichletPartition other = DirichletPartition.split(labels, 10, 20, 0.5, 8L, 2);
        assertTrue(!Arrays.equals(a.client(0), other.client(0)) || !Arrays.equals(a.client(1), other.client(1)));
    }

    @Test
    public void smallAlphaGivesEachClientFewerClasses() {
        int[] labels = labels(200, 10);
        assertTrue(meanClassesPerClient(labels, 0.1) < 6, "alpha 0.1: " + meanClassesPerClient(labels, 0.1));
        assertTrue(meanClassesPerClient(labels, 100) > 9.5, "alpha 100: " + meanClassesPerClient(labels, 100));
    }

    private static double meanClassesPerClient(int[] labels, double alpha) {
        DirichletPartition p = DirichletPartition.split(labels, 10, 20, alpha, 1L, 1);
        double sum = 0;
        for (int k = 0; k < p.numClients(); k++) {
            sum += Arrays.stream(p.client(k)).map(i -> labels[i]).distinct().count();
        }
        return sum / p.numClients();
    }

    @Test
    public void impossibleSplitsAreRejected() {
        int[] labels = labels(10, 2);
        IllegalArgumentException alpha = assertThrows(IllegalArgumentException.class,
                () -> DirichletPartition.split(labels, 2, 4, 0.0, 1L, 2));
        assertTrue(alpha.getMessage().contains("alpha must be positive"), alpha.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> DirichletPartition.split(labels, 2, 30, 1.0, 1L, 1));
        assertTrue(tooMany.getMessage().contains("cannot give 30 clients"), tooMany.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> DirichletPartition.split(new int[] {0, 5}, 2, 1, 1.0, 1L, 1));
        assertTrue(label.getMessage().contains("outside [0, 2)"), label.getMessage());
    }
}
