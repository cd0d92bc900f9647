package org.tribuoadapt.hpo.search.sampler;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimator against Optuna 3.1: the expected log densities were printed by
 * {@code optuna.samplers._tpe.parzen_estimator._ParzenEstimator} with TPESampler's default parameters
 * (prior weight 1, magic clip, no endpoints, default weights) for the same observations and points.
 */
class ParzenEstimatorTest {

    private static void assertLogPdf(Distribution d, double[] observations, double[] points, double[] expected) {
        ParzenEstimator estimator = new ParzenEstimator(d, observations, 1.0, false);
        for (int i = 0; i < points.length; i++) {
            assertEquals(expected[i], estimator.logPdf(points[i]), 1e-9, d + " at " + points[i]);
        }
    }

    @Test
    void matchesOptunasDensities() {
        assertLogPdf(new FloatDistribution(-1, 2, false, null), new double[]{0.1, 0.5, -0.7, 1.9, 0.4}, new double[]{0.0, -0.99, 1.5},
                new double[]{-0.8143649217648495, -1.2211343807827828, -1.1563552744251058});
        assertLogPdf(new FloatDistribution(1e-4, 1, true, null), new double[]{1e-3, 0.02, 0.5}, new double[]{1e-4, 0.01, 0.9},
                new double[]{-1.0854302787265486, -0.6334460597738956, -0.7752593483292608});
        assertLogPdf(new IntDistribution(0, 20, false, 2), new double[]{2, 4, 4, 18}, new double[]{0, 4, 20},
                new double[]{-2.1244680025551754, -1.8822439964593918, -3.0298366084684547});
        assertLogPdf(new IntDistribution(1, 64, true, 1), new double[]{2, 8, 33}, new double[]{1, 9, 64},
                new double[]{-0.9753829096133042, -0.6844267228558695, -0.9175788667725027});
        assertLogPdf(new CategoricalDistribution(List.of("a", "b", "c")), new double[]{0, 2, 2}, new double[]{0, 1, 2},
                new double[]{-1.0986122886681096, -1.6582280766035324, -0.7419373447293772});
        // 30 observations: the oldest five get ramped weights
        double[] squares = IntStream.range(0, 30).mapToDouble(i -> Math.pow(i / 29.0, 2)).toArray();
        assertLogPdf(new FloatDistribution(0, 1, false, null), squares, new double[]{0.05, 0.5, 0.95},
                new double[]{-2.140661317845747, -2.6293769649178893, -2.556572518921447});
    }

    @Test
    void gaussianMassIsAccurateInTheTails() {
        assertEquals(Math.log(0.6826894921370859), GaussianMass.logMass(-1, 1), 1e-12);
        assertEquals(-53.23128515051246, GaussianMass.logCdf(-10), 1e-9);
        assertEquals(-6.6314677865382246, GaussianMass.logMass(3, 4), 1e-9);
        assertEquals(-6.6314677865382246, GaussianMass.logMass(-4, -3), 1e-9);
    }

    @Test
    void samplesStayInTheDistribution() {
        SplittableRandom rng = new SplittableRandom(5);
        List<Distribution> distributions = List.of(new FloatDistribution(0.1, 0.5, false, 0.1),
                new IntDistribution(1, 64, true, 1), new FloatDistribution(1e-5, 1e-1, true, null));
        for (Distribution d : distributions) {
            ParzenEstimator estimator = new ParzenEstimator(d, new double[]{d.toInternal(d instanceof IntDistribution ? 64L : 0.1)}, 1.0, false);
            for (int i = 0; i < 200; i++) {
                double v = estimator.sample(rng);
                assertTrue(d.contains(v), d + " gave " + v);
            }
        }
    }
}
