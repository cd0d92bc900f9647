package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Bayesian optimisation with a Gaussian process and expected improvement (Jones, Schonlau and Welch, "Efficient Global
 * Optimization of Expensive Black-Box Functions", J. Global Optimization 1998; Snoek, Larochelle and Adams,
 * "Practical Bayesian Optimization of Machine Learning Algorithms", NeurIPS 2012, for the Matérn-5/2 ARD kernel).
 * <p>
 * The first {@code nStartupTrials} trials (Optuna's {@code GPSampler} default, 10; Optuna 3.1 has no GP sampler, the
 * defaults and the [0, 1] scaling follow the {@code GPSampler} of later Optuna versions) are drawn at random. After
 * that, when a trial is claimed, the COMPLETE trials whose every unconditional parameter lies in the space are mapped to the unit cube
 * (see {@link UnitCube}: log ranges in log space, categoricals one-hot, where Optuna uses a Hamming-distance kernel
 * instead), their losses (values, negated when maximising) standardised, and a {@link GaussianProcess} fitted by
 * maximising the log marginal likelihood over its length scales, signal variance and noise variance
 * ({@code nKernelRestarts} Nelder–Mead starts). The next point maximises the expected improvement of the latent
 * function over the best standardised loss seen, {@code EI = (best - mu) Phi(z) + sigma phi(z)},
 * {@code z = (best - mu) / sigma}: {@code nCandidates} uniform points are scored, then the {@code nLocalSearch} best are
 * refined by a stochastic hill climb of {@code localSearchSteps} steps with a step deviation halving on each failure.
 * The point is rounded to the space (integers and steps to their grid, categoricals to the largest one-hot coordinate)
 * and recorded in the trial's system attribute {@value #SUGGESTION}, from which {@link #sample} reads each parameter.
 * Conditional parameters (see {@link org.tribuoadapt.hpo.search.Condition}) are outside the modelled space and drawn
 * at random, as Optuna draws the parameters outside a relative sampler's intersection space.
 * <p>
 * Everything is drawn from the seed and the trial number, so the same seed and the same finished trials give the same
 * suggestion in any process. Single-objective studies only.
 */
public final class GpSampler implements Sampler {

    /** The system attribute holding a trial's suggested internal values by parameter name. */
    public static final String SUGGESTION = "gp:suggestion";

    @Config(description = "The seed; a suggestion depends only on it, the finished trials and the trial number.")
    private long seed = 12345L;

    @Config(description = "Random trials before the Gaussian process starts (Optuna's GPSampler: 10).")
    private int nStartupTrials = 10;

    @Config(description = "Starts of the Nelder-Mead maximisation of the log marginal likelihood.")
    private int nKernelRestarts = 3;

    @Config(description = "Uniform candidates scored by expected improvement per suggestion.")
    private int nCandidates = 1000;

    @Config(description = "Best candidates refined by local search.")
    private int nLocalSearch = 5;

    @Config(description = "Hill-climbing steps per refined candidate.")
    private int localSearchSteps = 50;

    private GpSampler() {}

    /**
     * Creates a sampler with the defaults.
     * @param seed The seed.
     */
    public GpSampler(long seed) {
        this.seed = seed;
    }

    /**
     * Creates a sampler.
     * @param seed The seed.
     * @param nStartupTrials Random trials first.
     * @param nKernelRestarts Starts of the likelihood maximisation.
     * @param nCandidates Uniform candidates per suggestion.
     * @param nLocalSearch Candidates refined.
     * @param localSearchSteps Steps per refinement.
     */
    public GpSampler(long seed, int nStartupTrials, int nKernelRestarts, int nCandidates, int nLocalSearch,
                     int localSearchSteps) {
        this.seed = seed;
        this.nStartupTrials = nStartupTrials;
        this.nKernelRestarts = nKernelRestarts;
        this.nCandidates = nCandidates;
        this.nLocalSearch = nLocalSearch;
        this.localSearchSteps = localSearchSteps;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (nStartupTrials < 1) {
            throw new PropertyException("", "nStartupTrials", "must be >= 1 (the process needs data), found " + nStartupTrials);
        }
        if (nKernelRestarts < 1) {
            throw new PropertyException("", "nKernelRestarts", "must be >= 1, found " + nKernelRestarts);
        }
        if (nCandidates < 1) {
            throw new PropertyException("", "nCandidates", "must be >= 1, found " + nCandidates);
        }
        if (nLocalSearch < 0 || nLocalSearch > nCandidates) {
            throw new PropertyException("", "nLocalSearch", "must be in [0, nCandidates], found " + nLocalSearch);
        }
        if (localSearchSteps < 0) {
            throw new PropertyException("", "localSearchSteps", "must be >= 0, found " + localSearchSteps);
        }
    }

    /**
     * The expected improvement of a normal posterior below the best loss.
     * @param mean The posterior mean.
     * @param variance The posterior variance.
     * @param best The best loss observed.
     * @return {@code (best - mean) Phi(z) + sigma phi(z)} with {@code z = (best - mean) / sigma}; {@code max(best - mean, 0)}
     * when the variance is 0.
     */
    static double expectedImprovement(double mean, double variance, double best) {
        double sigma = Math.sqrt(variance);
        double gain = best - mean;
        if (!(sigma > 0)) {
            return Math.max(gain, 0);
        }
        double z = gain / sigma;
        return gain * Math.exp(GaussianMass.logCdf(z)) + sigma * Math.exp(GaussianMass.logDensity(z));
    }

    @Override
    public Optional<Map<String, Object>> claim(List<Trial> trials, SearchSpace space, List<Direction> directions) {
        UnitCube cube = new UnitCube(space.unconditional());
        List<double[]> inputs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        for (Trial t : trials) {
            if (t.state() == TrialState.COMPLETE && t.value() != null) {
                double[] point = cube.encode(t);
                if (point != null) {
                    inputs.add(point);
                    losses.add(directions.get(0).loss(t.value()));
                }
            }
        }
        if (inputs.size() < nStartupTrials) {
            return Optional.of(Map.of());
        }
        return Optional.of(Map.of(SUGGESTION, suggest(cube, inputs.toArray(double[][]::new),
                losses.stream().mapToDouble(Double::doubleValue).toArray(), trials.size())));
    }

    private Map<String, Double> suggest(UnitCube cube, double[][] x, double[] losses, int trialNumber) {
        SplittableRandom rng = UniformDraw.generator(seed, trialNumber, SUGGESTION);
        double[] y = standardised(losses);
        GaussianProcess gp = GaussianProcess.fit(x, y, nKernelRestarts, 100 * (x[0].length + 2), rng);
        double best = Arrays.stream(y).min().orElseThrow();
        record Scored(double[] point, double ei) {}
        List<Scored> candidates = new ArrayList<>();
        for (int i = 0; i < nCandidates; i++) {
            double[] point = cube.random(rng);
            candidates.add(new Scored(point, acquisition(gp, point, best)));
        }
        candidates.sort(Comparator.comparingDouble(Scored::ei).reversed());
        Scored winner = candidates.get(0);
        for (Scored start : candidates.subList(0, nLocalSearch)) {
            Scored current = start;
            double sigma = 0.1;
            for (int step = 0; step < localSearchSteps; step++) {
                double[] next = cube.neighbour(current.point(), sigma, rng);
                double ei = acquisition(gp, next, best);
                if (ei > current.ei()) {
                    current = new Scored(next, ei);
                } else {
                    sigma = Math.max(sigma / 2, 1e-4);
                }
            }
            if (current.ei() > winner.ei()) {
                winner = current;
            }
        }
        return cube.decode(winner.point());
    }

    private static double acquisition(GaussianProcess gp, double[] point, double best) {
        double[] posterior = gp.posterior(point);
        return expectedImprovement(posterior[0], posterior[1], best);
    }

    // (y - mean) / std, with std 1 when the losses are all equal
    private static double[] standardised(double[] losses) {
        double mean = Arrays.stream(losses).average().orElseThrow();
        double variance = Arrays.stream(losses).map(v -> (v - mean) * (v - mean)).sum() / losses.length;
        double std = variance > 0 ? Math.sqrt(variance) : 1;
        return Arrays.stream(losses).map(v -> (v - mean) / std).toArray();
    }

    @Override
    public double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution) {
        Object suggestion = history.get(trialNumber).systemAttributes().get(SUGGESTION);
        if (suggestion instanceof Map<?, ?> values && values.get(name) instanceof Number value
                && distribution.contains(value.doubleValue())) {
            return value.doubleValue();
        }
        return UniformDraw.draw(UniformDraw.generator(seed, trialNumber, name), distribution);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Sampler");
    }

    @Override
    public String toString() {
        return "GpSampler(seed=" + seed + ", nStartupTrials=" + nStartupTrials + ", nKernelRestarts=" + nKernelRestarts
                + ", nCandidates=" + nCandidates + ", nLocalSearch=" + nLocalSearch + ", localSearchSteps="
                + localSearchSteps + ")";
    }
}
