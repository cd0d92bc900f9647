package org.tribuoadapt.hpo.search.pruner;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.util.Arrays;
import java.util.List;

/**
 * Prunes a trial whose best intermediate value so far is worse than the median of the COMPLETE trials' values at
 * its last step: the median stopping rule of Google Vizier (Golovin et al., "Google Vizier: A Service for Black-Box
 * Optimization", KDD 2017), with the rules and defaults of Optuna 3.1's {@code MedianPruner}:
 * <ul>
 *     <li>no pruning until {@code nStartupTrials} trials are COMPLETE (default 5), nor before step
 *     {@code nWarmupSteps} (default 0);</li>
 *     <li>a trial is judged only at the first step it reports in each interval of {@code intervalSteps} steps (default
 *     1) counted from the warm-up;</li>
 *     <li>a trial whose values are all NaN is pruned; the median (NumPy's {@code nanpercentile}, linear
 *     interpolation) skips NaN values, and is not taken when fewer than {@code nMinTrials} COMPLETE trials
 *     (default 1) reported the step.</li>
 * </ul>
 */
public final class MedianPruner implements Pruner {

    @Config(description = "COMPLETE trials before pruning starts (Optuna: 5).")
    private int nStartupTrials = 5;

    @Config(description = "Steps of a trial before it can be pruned (Optuna: 0).")
    private int nWarmupSteps = 0;

    @Config(description = "Steps between pruning checks, after the warm-up (Optuna: 1).")
    private int intervalSteps = 1;

    @Config(description = "COMPLETE trials that must have reported a step before it is judged (Optuna: 1).")
    private int nMinTrials = 1;

    /**
     * Creates a pruner with Optuna's defaults.
     */
    public MedianPruner() {}

    /**
     * Creates a pruner.
     * @param nStartupTrials COMPLETE trials before pruning starts.
     * @param nWarmupSteps Steps before a trial can be pruned.
     * @param intervalSteps Steps between checks.
     * @param nMinTrials COMPLETE trials with the step needed to judge it.
     */
    public MedianPruner(int nStartupTrials, int nWarmupSteps, int intervalSteps, int nMinTrials) {
        this.nStartupTrials = nStartupTrials;
        this.nWarmupSteps = nWarmupSteps;
        this.intervalSteps = intervalSteps;
        this.nMinTrials = nMinTrials;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (nStartupTrials < 0) {
            throw new PropertyException("", "nStartupTrials", "must be >= 0, found " + nStartupTrials);
        }
        if (nWarmupSteps < 0) {
            throw new PropertyException("", "nWarmupSteps", "must be >= 0, found " + nWarmupSteps);
        }
        if (intervalSteps < 1) {
            throw new PropertyException("", "intervalSteps", "must be >= 1, found " + intervalSteps);
        }
        if (nMinTrials < 1) {
            throw new PropertyException("", "nMinTrials", "must be >= 1, found " + nMinTrials);
        }
    }

    @Override
    public boolean prune(Context context) {
        List<Trial> complete = context.trials().stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
        if (complete.isEmpty() || complete.size() < nStartupTrials) {
            return false;
        }
        Trial trial = context.trial();
        if (trial.lastStep().isEmpty()) {
            return false;
        }
        int step = trial.lastStep().getAsInt();
        if (step < nWarmupSteps || !firstInInterval(trial, step)) {
            return false;
        }
        Direction direction = context.direction();
        double best = best(trial, direction);
        if (Double.isNaN(best)) {
            return true;
        }
        double[] atStep = complete.stream().filter(t -> t.intermediateValues().containsKey(step))
                .mapToDouble(t -> t.intermediateValues().get(step)).toArray();
        if (atStep.length < nMinTrials) {
            return false;
        }
        double median = nanMedian(atStep);
        if (Double.isNaN(median)) {
            return false;
        }
        return direction == Direction.MAXIMIZE ? best < median : best > median;
    }

    // whether no step of the trial other than this one lies at or after the last check point
    private boolean firstInInterval(Trial trial, int step) {
        int nearestCheck = Math.floorDiv(step - nWarmupSteps, intervalSteps) * intervalSteps + nWarmupSteps;
        int secondLast = trial.intermediateValues().keySet().stream().filter(s -> s != step).mapToInt(Integer::intValue)
                .max().orElse(-1);
        return secondLast < nearestCheck;
    }

    // the best intermediate value over the trial's steps, NaN only when all are NaN (NumPy's nanmax and nanmin)
    private static double best(Trial trial, Direction direction) {
        return trial.intermediateValues().values().stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v))
                .reduce(direction == Direction.MAXIMIZE ? Math::max : Math::min).orElse(Double.NaN);
    }

    /**
     * NumPy's {@code nanpercentile(values, 50)} with its default linear interpolation, computed as NumPy computes it.
     * @param values The values.
     * @return The median of the non-NaN values, or NaN when there are none.
     */
    static double nanMedian(double[] values) {
        double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = 0.5 * (sorted.length - 1);
        int below = (int) Math.floor(position);
        double fraction = position - below;
        double low = sorted[below];
        double high = sorted[Math.min(below + 1, sorted.length - 1)];
        double difference = high - low;
        return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pruner");
    }

    @Override
    public String toString() {
        return "MedianPruner(nStartupTrials=" + nStartupTrials + ", nWarmupSteps=" + nWarmupSteps + ", intervalSteps="
                + intervalSteps + ", nMinTrials=" + nMinTrials + ")";
    }
}
