package org.tribuoadapt.hpo.search.pbt;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerturbationTest {

    private static final SearchSpace SPACE = SearchSpace.parse(List.of("opt.learningRate=float:1e-4:1:log",
            "opt.momentum=float:0:0.99", "trainer.batchSize=int:8:256", "net.activation=categorical:relu,gelu,tanh"));

    private static final Map<String, Object> PARAMS = Map.of("opt.learningRate", 0.01, "opt.momentum", 0.5,
            "trainer.batchSize", 64L, "net.activation", "gelu");

    /** What {@link Perturbation#explore} must give, drawing from a copy of its generator in the documented order. */
    private static Map<String, Object> expected(double resampleProbability, SplittableRandom rng) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : SPACE.distributions().entrySet()) {
            Distribution d = e.getValue();
            double current = d.toInternal(PARAMS.get(e.getKey()));
            double next;
            if (rng.nextDouble() < resampleProbability) {
                next = new RandomSampler(rng.nextLong()).sample(List.of(), Direction.MINIMIZE, 0, e.getKey(), d);
            } else if (rng.nextBoolean()) {
                next = d instanceof CategoricalDistribution ? current + 1 : d instanceof IntDistribution
                        ? Math.round(current * 1.2) : current * 1.2;
            } else {
                next = d instanceof CategoricalDistribution ? current - 1 : d instanceof IntDistribution
                        ? Math.round(current * 0.8) : current * 0.8;
            }
            out.put(e.getKey(), d.toExternal(next));
        }
        return out;
    }

    @Test
    void multipliesByTheFactorsOrShiftsTheChoice() {
        Perturbation perturbation = new Perturbation(SPACE, 0.0, 0.8, 1.2);
        for (long seed = 0; seed < 20; seed++) {
            Map<String, Object> explored = perturbation.explore(PARAMS, new SplittableRandom(seed));
            assertEquals(expected(0.0, new SplittableRandom(seed)), explored, "seed " + seed);
            double rate = (Double) explored.get("opt.learningRate");
            assertTrue(rate == 0.01 * 0.8 || rate == 0.01 * 1.2, "rate " + rate);
            assertTrue(List.of("relu", "tanh").contains(explored.get("net.activation")));
        }
    }

    @Test
    void resamplesWithTheGivenProbability() {
        Perturbation always = new Perturbation(SPACE, 1.0, 0.8, 1.2);
        Perturbation quarter = new Perturbation(SPACE, 0.25, 0.8, 1.2);
        int resampled = 0;
        for (long seed = 0; seed < 200; seed++) {
            assertEquals(expected(1.0, new SplittableRandom(seed)), always.explore(PARAMS, new SplittableRandom(seed)));
            assertEquals(expected(0.25, new SplittableRandom(seed)), quarter.explore(PARAMS, new SplittableRandom(seed)));
            double rate = (Double) quarter.explore(PARAMS, new SplittableRandom(seed)).get("opt.learningRate");
            if (rate != 0.01 * 0.8 && rate != 0.01 * 1.2) {
                resampled++;
            }
        }
        // the first parameter's resampling decision is the generator's first double: below 0.25 about 50 times in 200
        int belowQuarter = 0;
        for (long seed = 0; seed < 200; seed++) {
            belowQuarter += new SplittableRandom(seed).nextDouble() < 0.25 ? 1 : 0;
        }
        assertEquals(belowQuarter, resampled);
        assertTrue(resampled > 25 && resampled < 75, "resampled " + resampled + " of 200");
    }

    @Test
    void numbersAreClippedToTheirRangeAndGrid() {
        FloatDistribution unit = new FloatDistribution(0.1, 1.0, false, null);
        assertEquals(1.0, Perturbation.perturb(unit, 0.9, 1.2));
        assertEquals(0.1, Perturbation.perturb(unit, 0.11, 0.8));
        assertEquals(0.5 * 1.2, Perturbation.perturb(unit, 0.5, 1.2));
        FloatDistribution log = new FloatDistribution(1e-4, 0.1, true, null);
        assertEquals(0.1, Perturbation.perturb(log, 0.09, 1.2));
        FloatDistribution quarters = new FloatDistribution(0, 1.1, false, 0.25);
        assertEquals(0.75, Perturbation.perturb(quarters, 0.5, 1.4)); // 0.7 rounds to 0.75
        assertEquals(0.75, Perturbation.perturb(quarters, 0.5, 1.2)); // 0.6 rounds back to 0.5: one step up
        assertEquals(1.0, Perturbation.perturb(quarters, 1.0, 1.2)); // 1.25 is past the range's last grid point
        IntDistribution ints = new IntDistribution(1, 10, false, 1);
        assertEquals(2, Perturbation.perturb(ints, 1, 1.2));
        assertEquals(1, Perturbation.perturb(ints, 1, 0.8));
        assertEquals(6, Perturbation.perturb(ints, 5, 1.2));
        assertEquals(4, Perturbation.perturb(ints, 5, 0.8));
        assertEquals(10, Perturbation.perturb(ints, 10, 1.2));
        IntDistribution evens = new IntDistribution(0, 9, false, 2);
        assertEquals(8, Perturbation.perturb(evens, 8, 1.2));
        assertEquals(6, Perturbation.perturb(evens, 8, 0.8));
        CategoricalDistribution choices = new CategoricalDistribution(List.of("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> Perturbation.perturb(choices, 0, 1.2));
        // the ends of a categorical list stay put
        SearchSpace two = SearchSpace.parse(List.of("net.activation=categorical:relu,gelu"));
        Perturbation perturbation = new Perturbation(two, 0.0, 0.8, 1.2);
        for (long seed = 0; seed < 10; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            rng.nextDouble();
            Object expected = rng.nextBoolean() ? "gelu" : "relu";
            assertEquals(expected, perturbation.explore(Map.of("net.activation", "relu"), new SplittableRandom(seed))
                    .get("net.activation"));
        }
    }

    @Test
    void badSettingsAndValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Perturbation(SPACE, -0.1, 0.8, 1.2));
        assertThrows(IllegalArgumentException.class, () -> new Perturbation(SPACE, 1.1, 0.8, 1.2));
        assertThrows(IllegalArgumentException.class, () -> new Perturbation(SPACE, 0.25, 1.0, 1.2));
        assertThrows(IllegalArgumentException.class, () -> new Perturbation(SPACE, 0.25, 0.8, 1.0));
        Perturbation perturbation = new Perturbation(SPACE, 0.25, 0.8, 1.2);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> perturbation.explore(Map.of("opt.learningRate", 0.01), new SplittableRandom(1)));
        assertTrue(missing.getMessage().contains("no value for 'opt.momentum'"), missing.getMessage());
        Map<String, Object> outside = new LinkedHashMap<>(PARAMS);
        outside.put("opt.learningRate", 2.0);
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> perturbation.explore(outside, new SplittableRandom(1)));
        assertTrue(range.getMessage().contains("'opt.learningRate' is outside"), range.getMessage());
    }
}
