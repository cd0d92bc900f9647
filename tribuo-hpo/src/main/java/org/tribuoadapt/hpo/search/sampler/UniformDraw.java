package org.tribuoadapt.hpo.search.sampler;

import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;

import java.util.SplittableRandom;

/**
 * The random draws every sampler shares: a generator derived from the seed, the trial number and the parameter
 * name (so a draw depends on nothing else), and a draw from a distribution's prior, as Optuna's
 * {@code RandomSampler} makes it (uniform, or uniform in the logarithm; on the grid for steps and integers).
 */
final class UniformDraw {

    private UniformDraw() {}

    /**
     * The generator of one draw.
     * @param seed The sampler's seed.
     * @param trialNumber The trial number.
     * @param name The parameter name.
     * @return A generator determined by the three.
     */
    static SplittableRandom generator(long seed, int trialNumber, String name) {
        SplittableRandom mix = new SplittableRandom(seed);
        long key = mix.nextLong() ^ (trialNumber * 0x9E3779B97F4A7C15L);
        return new SplittableRandom(new SplittableRandom(key).nextLong() ^ name.hashCode());
    }

    /**
     * A draw from the prior of a distribution.
     * @param rng The generator.
     * @param distribution The distribution.
     * @return The internal representation.
     */
    static double draw(SplittableRandom rng, Distribution distribution) {
        if (distribution instanceof FloatDistribution f) {
            if (f.log()) {
                return Math.min(f.high(), Math.exp(rng.nextDouble(Math.log(f.low()), Math.log(f.high()))));
            }
            if (f.step() != null) {
                long cells = (long) Math.floor((f.high() - f.low()) / f.step() + 1e-9);
                return Math.min(f.high(), f.low() + rng.nextLong(cells + 1) * f.step());
            }
            return rng.nextDouble(f.low(), f.high());
        }
        if (distribution instanceof IntDistribution i) {
            if (i.log()) {
                double v = Math.round(Math.exp(rng.nextDouble(Math.log(i.low() - 0.5), Math.log(i.high() + 0.5))));
                return Math.max(i.low(), Math.min(i.high(), v));
            }
            return i.low() + rng.nextLong((i.high() - i.low()) / i.step() + 1) * i.step();
        }
        return rng.nextInt(((CategoricalDistribution) distribution).choices().size());
    }
}
