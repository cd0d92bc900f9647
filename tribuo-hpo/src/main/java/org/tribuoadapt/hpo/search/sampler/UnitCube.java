package org.tribuoadapt.hpo.search.sampler;

import org.tribuoadapt.hpo.search.CategoricalDistribution;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.IntDistribution;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Trial;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * A search space mapped onto the unit cube for a Gaussian process. A float or integer parameter is one coordinate,
 * {@code (v - low) / (high - low)}, taken on the logarithms for log ranges; a categorical parameter with {@code k}
 * choices is {@code k} one-hot coordinates. A point of the cube maps back by clipping to [0, 1], inverting the
 * scaling, then rounding integers and stepped floats to their grid and taking the largest coordinate of each
 * one-hot block (the first on ties).
 */
final class UnitCube {

    private final List<String> names;
    private final List<Distribution> distributions;
    private final int[] offsets;
    private final int dimensions;

    /**
     * Maps a space.
     * @param space The space.
     */
    UnitCube(SearchSpace space) {
        this.names = List.copyOf(space.distributions().keySet());
        this.distributions = List.copyOf(space.distributions().values());
        this.offsets = new int[names.size()];
        int width = 0;
        for (int i = 0; i < names.size(); i++) {
            offsets[i] = width;
            width += distributions.get(i) instanceof CategoricalDistribution c ? c.choices().size() : 1;
        }
        this.dimensions = width;
    }

    /**
     * The cube's dimension.
     * @return The number of coordinates.
     */
    int dimensions() {
        return dimensions;
    }

    /**
     * Encodes a trial's parameters.
     * @param trial The trial.
     * @return The point, or null when the trial lacks a parameter or has one outside (or of another kind than) the
     * space's distribution.
     */
    double[] encode(Trial trial) {
        double[] point = new double[dimensions];
        for (int i = 0; i < names.size(); i++) {
            Distribution distribution = distributions.get(i);
            if (!distribution.equals(trial.distributions().get(names.get(i)))) {
                return null;
            }
            OptionalDouble internal = trial.internalParam(names.get(i));
            if (internal.isEmpty() || !distribution.contains(internal.getAsDouble())) {
                return null;
            }
            double v = internal.getAsDouble();
            if (distribution instanceof CategoricalDistribution) {
                point[offsets[i] + (int) v] = 1;
            } else {
                point[offsets[i]] = scale(distribution, v);
            }
        }
        return point;
    }

    private static double scale(Distribution distribution, double v) {
        if (distribution instanceof FloatDistribution f) {
            return f.log() ? (Math.log(v) - Math.log(f.low())) / (Math.log(f.high()) - Math.log(f.low()))
                    : (v - f.low()) / (f.high() - f.low());
        }
        IntDistribution i = (IntDistribution) distribution;
        return i.log() ? (Math.log(v) - Math.log(i.low())) / (Math.log(i.high()) - Math.log(i.low()))
                : (v - i.low()) / (i.high() - i.low());
    }

    /**
     * Decodes a point of the cube.
     * @param point The point (coordinates outside [0, 1] are clipped).
     * @return The internal value of every parameter, by name, in the space's order.
     */
    Map<String, Double> decode(double[] point) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), decode(distributions.get(i), point, offsets[i]));
        }
        return values;
    }

    private static double decode(Distribution distribution, double[] point, int offset) {
        if (distribution instanceof CategoricalDistribution c) {
            int best = 0;
            for (int k = 1; k < c.choices().size(); k++) {
                if (point[offset + k] > point[offset + best]) {
                    best = k;
                }
            }
            return best;
        }
        double u = Math.max(0, Math.min(1, point[offset]));
        if (distribution instanceof FloatDistribution f) {
            if (f.log()) {
                return clamp(Math.exp(Math.log(f.low()) + u * (Math.log(f.high()) - Math.log(f.low()))), f.low(), f.high());
            }
            double v = f.low() + u * (f.high() - f.low());
            if (f.step() == null) {
                return clamp(v, f.low(), f.high());
            }
            long cells = (long) Math.floor((f.high() - f.low()) / f.step() + 1e-9);
            return Math.min(f.high(), f.low() + Math.min(cells, Math.round((v - f.low()) / f.step())) * f.step());
        }
        IntDistribution i = (IntDistribution) distribution;
        if (i.log()) {
            return clamp(Math.round(Math.exp(Math.log(i.low()) + u * (Math.log(i.high()) - Math.log(i.low())))), i.low(), i.high());
        }
        long cells = (i.high() - i.low()) / i.step();
        return i.low() + Math.min(cells, Math.round(u * (i.high() - i.low()) / i.step())) * i.step();
    }

    private static double clamp(double v, double low, double high) {
        return Math.max(low, Math.min(high, v));
    }

    /**
     * A uniformly random point: uniform numeric coordinates and a uniformly chosen one-hot vertex per categorical.
     * @param rng The generator.
     * @return The point.
     */
    double[] random(SplittableRandom rng) {
        double[] point = new double[dimensions];
        for (int i = 0; i < names.size(); i++) {
            if (distributions.get(i) instanceof CategoricalDistribution c) {
                point[offsets[i] + rng.nextInt(c.choices().size())] = 1;
            } else {
                point[offsets[i]] = rng.nextDouble();
            }
        }
        return point;
    }

    /**
     * A neighbour of a point: every numeric coordinate moved by a normal step of deviation {@code sigma} and clipped
     * to [0, 1]; each categorical redrawn uniformly with probability {@code 1 / parameters}.
     * @param point The point.
     * @param sigma The step deviation.
     * @param rng The generator.
     * @return The neighbour.
     */
    double[] neighbour(double[] point, double sigma, SplittableRandom rng) {
        double[] next = point.clone();
        for (int i = 0; i < names.size(); i++) {
            if (distributions.get(i) instanceof CategoricalDistribution c) {
                if (rng.nextDouble() * names.size() < 1) {
                    for (int k = 0; k < c.choices().size(); k++) {
                        next[offsets[i] + k] = 0;
                    }
                    next[offsets[i] + rng.nextInt(c.choices().size())] = 1;
                }
            } else {
                next[offsets[i]] = clamp(point[offsets[i]] + sigma * gaussian(rng), 0, 1);
            }
        }
        return next;
    }

    // Box-Muller, one of the pair
    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
