package org.tribuoadapt.hpo.search.pbt;

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

/**
 * The explore step of population based training (Jaderberg et al. 2017), with Ray Tune's defaults: each
 * hyper-parameter, in the search space's order, is resampled from its distribution's prior with probability
 * {@code resampleProbability}, and otherwise
 * <ul>
 *     <li>a float or integer is multiplied by {@code decreaseFactor} or {@code increaseFactor} (each with probability
 *     one half) and clipped to its range; an integer or a float with a step goes to the nearest point of its grid, and
 *     when that is the point it started from it moves one step in the factor's direction (so an integer 1 × 1.2
 *     becomes 2, not 1);</li>
 *     <li>a categorical choice moves to the previous or the next choice in the list (each with probability one
 *     half), staying put at the ends, as Ray Tune does; order the choices so that neighbours are alike.</li>
 * </ul>
 * The draws for one parameter are, in order: a uniform double (resample or not), then either a long (the seed of a
 * {@link RandomSampler} draw) or a boolean (up or down).
 */
public final class Perturbation {

    private final SearchSpace space;
    private final double resampleProbability;
    private final double decreaseFactor;
    private final double increaseFactor;

    /**
     * Creates the rule.
     * @param space The search space.
     * @param resampleProbability The probability of resampling a parameter, in [0, 1].
     * @param decreaseFactor The factor that lowers a number, in (0, 1).
     * @param increaseFactor The factor that raises a number, above 1.
     */
    public Perturbation(SearchSpace space, double resampleProbability, double decreaseFactor, double increaseFactor) {
        if (!(resampleProbability >= 0 && resampleProbability <= 1)) {
            throw new IllegalArgumentException("resampleProbability must be in [0, 1], found " + resampleProbability);
        }
        if (!(decreaseFactor > 0 && decreaseFactor < 1) || !(increaseFactor > 1) || Double.isInfinite(increaseFactor)) {
            throw new IllegalArgumentException("need 0 < decreaseFactor < 1 < increaseFactor (finite), found "
                    + decreaseFactor + " and " + increaseFactor);
        }
        this.space = space;
        this.resampleProbability = resampleProbability;
        this.decreaseFactor = decreaseFactor;
        this.increaseFactor = increaseFactor;
    }

    /**
     * Explores from a member's hyper-parameters.
     * @param params The values, by name, as the configuration receives them (every name of the space).
     * @param rng The generator.
     * @return The new values, in the space's order.
     */
    public Map<String, Object> explore(Map<String, Object> params, SplittableRandom rng) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : space.distributions().entrySet()) {
            String name = e.getKey();
            Distribution distribution = e.getValue();
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("no value for '" + name + "' in " + params);
            }
            double current = distribution.checked(name, distribution.toInternal(params.get(name)));
            double next;
            if (rng.nextDouble() < resampleProbability) {
                next = new RandomSampler(rng.nextLong()).sample(List.of(), Direction.MINIMIZE, 0, name, distribution);
            } else {
                boolean up = rng.nextBoolean();
                next = distribution instanceof CategoricalDistribution c
                        ? Math.max(0, Math.min(c.choices().size() - 1, current + (up ? 1 : -1)))
                        : perturb(distribution, current, up ? increaseFactor : decreaseFactor);
            }
            out.put(name, distribution.toExternal(next));
        }
        return out;
    }

    /**
     * Multiplies a float or integer value by a factor, puts it back on its step grid and clips it to its range.
     * @param distribution A {@link FloatDistribution} or {@link IntDistribution}.
     * @param value The current internal value.
     * @param factor The factor.
     * @return The new internal value, inside the distribution.
     */
    static double perturb(Distribution distribution, double value, double factor) {
        if (distribution instanceof FloatDistribution f) {
            return f.step() == null ? Math.max(f.low(), Math.min(f.high(), value * factor))
                    : Math.min(f.high(), onGrid(f.low(), f.high(), f.step(), value, factor));
        }
        if (distribution instanceof IntDistribution i) {
            return onGrid(i.low(), i.high(), i.step(), value, factor);
        }
        throw new IllegalArgumentException("only float and integer values are multiplied, found " + distribution);
    }

    /**
     * The grid point {@code low + k step} nearest to {@code value * factor}, one step away from the value when that
     * is the value itself, and within {@code [low, high]}.
     */
    private static double onGrid(double low, double high, double step, double value, double factor) {
        long cells = (long) Math.floor((high - low) / step + 1e-9);
        long current = Math.round((value - low) / step);
        long k = Math.round((value * factor - low) / step);
        if (k == current) {
            k += factor > 1 ? 1 : -1;
        }
        return low + Math.max(0, Math.min(cells, k)) * step;
    }
}
