package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * The Tree-structured Parzen Estimator (Bergstra et al., "Algorithms for Hyper-Parameter Optimization", NeurIPS
 * 2011), univariate, with the defaults of Optuna 3.1's {@code TPESampler}: after {@code nStartupTrials} random
 * trials, the finished trials are ranked and the best {@code gamma(n) = min(ceil(0.1 n), 25)} form the "good"
 * density {@code l(x)}, the rest the "bad" density {@code g(x)} (each a {@link ParzenEstimator}); the sampler draws
 * {@code nEICandidates} values from {@code l} and keeps the one maximising {@code l(x) / g(x)}, which maximises the
 * expected improvement (section 4.1 of the paper).
 * <p>
 * As in Optuna, COMPLETE trials rank by value; PRUNED trials (from Optuna workers) rank after them by their last
 * intermediate value, later steps first; trials without the parameter, or with a value
 * outside its distribution, are left out of its densities.
 */
public final class TpeSampler implements Sampler {

    @Config(description = "The seed; a draw depends only on it, the finished trials, the trial number and the parameter.")
    private long seed = 12345L;

    @Config(description = "Random trials before TPE starts (Optuna: 10).")
    private int nStartupTrials = 10;

    @Config(description = "Candidates drawn from the good density per suggestion (Optuna: 24).")
    private int nEICandidates = 24;

    @Config(description = "Weight of the prior component of each density (Optuna: 1.0).")
    private double priorWeight = 1.0;

    @Config(description = "Whether the range ends bound the widths of the outermost components (Optuna: false).")
    private boolean considerEndpoints = false;

    private TpeSampler() {}

    /**
     * Creates a sampler with Optuna's defaults.
     * @param seed The seed.
     */
    public TpeSampler(long seed) {
        this.seed = seed;
    }

    /**
     * Creates a sampler.
     * @param seed The seed.
     * @param nStartupTrials Random trials before TPE starts.
     * @param nEICandidates Candidates per suggestion.
     * @param priorWeight Weight of the prior component.
     * @param considerEndpoints Whether range ends bound the outermost widths.
     */
    public TpeSampler(long seed, int nStartupTrials, int nEICandidates, double priorWeight, boolean considerEndpoints) {
        this.seed = seed;
        this.nStartupTrials = nStartupTrials;
        this.nEICandidates = nEICandidates;
        this.priorWeight = priorWeight;
        this.considerEndpoints = considerEndpoints;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (nStartupTrials < 0) {
            throw new PropertyException("", "nStartupTrials", "must be >= 0, found " + nStartupTrials);
        }
        if (nEICandidates < 1) {
            throw new PropertyException("", "nEICandidates", "must be >= 1, found " + nEICandidates);
        }
        if (!(priorWeight > 0) || !Double.isFinite(priorWeight)) {
            throw new PropertyException("", "priorWeight", "must be finite and > 0, found " + priorWeight);
        }
    }

    /**
     * Optuna's default split: the number of "good" trials among {@code n}.
     * @param n Finished trials.
     * @return {@code min(ceil(0.1 n), 25)}.
     */
    static int gamma(int n) {
        return Math.min((int) Math.ceil(0.1 * n), 25);
    }

    private record Scored(Trial trial, int index, double stepKey, double loss) {}

    @Override
    public double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution) {
        SplittableRandom rng = UniformDraw.generator(seed, trialNumber, name);
        List<Scored> scored = new ArrayList<>();
        for (Trial t : history) {
            if (t.state() == TrialState.COMPLETE && t.value() != null) {
                scored.add(new Scored(t, scored.size(), Double.NEGATIVE_INFINITY, direction.loss(t.value())));
            } else if (t.state() == TrialState.PRUNED) {
                scored.add(prunedScore(t, scored.size(), direction));
            }
        }
        if (scored.size() < nStartupTrials) {
            return UniformDraw.draw(rng, distribution);
        }
        List<Scored> ranked = new ArrayList<>(scored);
        ranked.sort(Comparator.comparingDouble(Scored::stepKey).thenComparingDouble(Scored::loss));
        int nBelow = gamma(scored.size());
        ParzenEstimator below = estimator(ranked.subList(0, nBelow), name, distribution);
        ParzenEstimator above = estimator(ranked.subList(nBelow, ranked.size()), name, distribution);
        double best = Double.NaN;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < nEICandidates; i++) {
            double candidate = below.sample(rng);
            double score = below.logPdf(candidate) - above.logPdf(candidate);
            if (Double.isNaN(best) || score > bestScore) {
                best = candidate;
                bestScore = score;
            }
        }
        return best;
    }

    private static Scored prunedScore(Trial t, int index, Direction direction) {
        if (t.intermediateValues().isEmpty()) {
            return new Scored(t, index, 1, 0);
        }
        int step = t.intermediateValues().lastKey();
        double last = t.intermediateValues().get(step);
        double loss = Double.isNaN(last) ? Double.POSITIVE_INFINITY : direction.loss(last);
        return new Scored(t, index, -step, loss);
    }

    // observations in trial order, as Optuna keeps them (the ramp of the weights follows it)
    private ParzenEstimator estimator(List<Scored> group, String name, Distribution distribution) {
        double[] observations = group.stream()
                .sorted(Comparator.comparingInt(Scored::index))
                .map(s -> s.trial().internalParam(name))
                .filter(v -> v.isPresent() && distribution.contains(v.getAsDouble()))
                .mapToDouble(OptionalDouble::getAsDouble)
                .toArray();
        return new ParzenEstimator(distribution, observations, priorWeight, considerEndpoints);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Sampler");
    }

    @Override
    public String toString() {
        return "TpeSampler(seed=" + seed + ", nStartupTrials=" + nStartupTrials + ", nEICandidates=" + nEICandidates
                + ", priorWeight=" + priorWeight + ", considerEndpoints=" + considerEndpoints + ")";
    }
}
