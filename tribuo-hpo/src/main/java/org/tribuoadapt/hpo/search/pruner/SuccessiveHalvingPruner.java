package org.tribuoadapt.hpo.search.pruner;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020),
 * with the rules and defaults of Optuna 3.1's {@code SuccessiveHalvingPruner}. Rung {@code r} ends at step
 * {@code minResource * reductionFactor^(minEarlyStoppingRate + r)}; a trial that reaches it records its value there
 * in the system attribute {@code completed_rung_r} and carries on only if that value is among the best
 * {@code 1 / reductionFactor} of the values recorded at rung {@code r} by every trial (itself included; while fewer
 * than {@code reductionFactor} values are recorded, only the best carries on), and if more than
 * {@code bootstrapCount} values are recorded. A NaN value at a rung end is pruned.
 * <p>
 * Defaults as Optuna's: {@code minResource} {@code auto} (the largest last step of the COMPLETE trials divided by
 * 100, at least 1; estimated once, when a COMPLETE trial with intermediate values first exists, and then kept by this
 * pruner object, as Optuna keeps it per process), {@code reductionFactor} 4, {@code minEarlyStoppingRate} 0,
 * {@code bootstrapCount} 0.
 */
public final class SuccessiveHalvingPruner implements Pruner {

    /** The prefix of the system attribute holding a trial's value at the end of a rung. */
    public static final String RUNG_ATTRIBUTE_PREFIX = "completed_rung_";

    @Config(description = "Steps of the first rung: an integer >= 1, or auto (Optuna: auto).")
    private String minResource = "auto";

    @Config(description = "The factor between rungs; 1 / reductionFactor of the trials are promoted (Optuna: 4).")
    private int reductionFactor = 4;

    @Config(description = "The rung exponent of the first rung (Optuna: 0).")
    private int minEarlyStoppingRate = 0;

    @Config(description = "Values a rung needs before any trial is promoted from it (Optuna: 0).")
    private int bootstrapCount = 0;

    private Integer resolvedMinResource;

    /**
     * Creates a pruner with Optuna's defaults.
     */
    public SuccessiveHalvingPruner() {}

    /**
     * Creates a pruner.
     * @param minResource Steps of the first rung (>= 1), or 0 for {@code auto}.
     * @param reductionFactor The factor between rungs.
     * @param minEarlyStoppingRate The rung exponent of the first rung.
     * @param bootstrapCount Values a rung needs before promoting.
     */
    public SuccessiveHalvingPruner(int minResource, int reductionFactor, int minEarlyStoppingRate, int bootstrapCount) {
        this.minResource = minResource == 0 ? "auto" : Integer.toString(minResource);
        this.reductionFactor = reductionFactor;
        this.minEarlyStoppingRate = minEarlyStoppingRate;
        this.bootstrapCount = bootstrapCount;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (!minResource.equals("auto")) {
            try {
                resolvedMinResource = Integer.valueOf(minResource);
            } catch (NumberFormatException e) {
                resolvedMinResource = 0;
            }
            if (resolvedMinResource < 1) {
                throw new PropertyException("", "minResource", "must be an integer >= 1 or auto, found '" + minResource + "'");
            }
        }
        if (reductionFactor < 2) {
            throw new PropertyException("", "reductionFactor", "must be >= 2, found " + reductionFactor);
        }
        if (minEarlyStoppingRate < 0) {
            throw new PropertyException("", "minEarlyStoppingRate", "must be >= 0, found " + minEarlyStoppingRate);
        }
        if (bootstrapCount < 0) {
            throw new PropertyException("", "bootstrapCount", "must be >= 0, found " + bootstrapCount);
        }
        if (bootstrapCount > 0 && minResource.equals("auto")) {
            throw new PropertyException("", "bootstrapCount", "bootstrapCount > 0 needs an integer minResource, not auto");
        }
    }

    @Override
    public synchronized boolean prune(Context context) {
        Trial trial = context.trial();
        OptionalInt lastStep = trial.lastStep();
        if (lastStep.isEmpty()) {
            return false;
        }
        int step = lastStep.getAsInt();
        double value = trial.intermediateValues().get(step);
        int rung = 0;
        while (trial.systemAttributes().containsKey(RUNG_ATTRIBUTE_PREFIX + rung)) {
            rung++;
        }
        while (true) {
            if (resolvedMinResource == null) {
                resolvedMinResource = estimateMinResource(context.trials());
                if (resolvedMinResource == null) {
                    return false;
                }
            }
            if (step < rungEnd(resolvedMinResource, reductionFactor, minEarlyStoppingRate + rung)) {
                return false;
            }
            if (Double.isNaN(value)) {
                return true;
            }
            String key = RUNG_ATTRIBUTE_PREFIX + rung;
            context.setTrialSystemAttribute(key, value);
            List<Double> competing = new ArrayList<>();
            for (Trial t : context.trials()) {
                Object recorded = t.systemAttributes().get(key);
                if (recorded instanceof Number number) {
                    competing.add(number.doubleValue());
                }
            }
            competing.add(value);
            if (competing.size() <= bootstrapCount || !promotable(value, competing, context.direction())) {
                return true;
            }
            rung++;
        }
    }

    private static Integer estimateMinResource(List<Trial> trials) {
        return trials.stream().filter(t -> t.state() == TrialState.COMPLETE && t.lastStep().isPresent())
                .mapToInt(t -> t.lastStep().getAsInt()).max().stream().mapToObj(last -> Math.max(last / 100, 1))
                .findFirst().orElse(null);
    }

    /**
     * The step that ends a rung, {@code minResource * reductionFactor^exponent}, saturating at
     * {@code Long.MAX_VALUE}.
     */
    static long rungEnd(int minResource, int reductionFactor, int exponent) {
        long end = minResource;
        for (int i = 0; i < exponent; i++) {
            if (end > Long.MAX_VALUE / reductionFactor) {
                return Long.MAX_VALUE;
            }
            end *= reductionFactor;
        }
        return end;
    }

    private boolean promotable(double value, List<Double> competing, Direction direction) {
        int index = Math.max(competing.size() / reductionFactor - 1, 0);
        Collections.sort(competing);
        return direction == Direction.MAXIMIZE ? value >= competing.get(competing.size() - 1 - index)
                : value <= competing.get(index);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pruner");
    }

    @Override
    public String toString() {
        return "SuccessiveHalvingPruner(minResource=" + minResource + ", reductionFactor=" + reductionFactor
                + ", minEarlyStoppingRate=" + minEarlyStoppingRate + ", bootstrapCount=" + bootstrapCount + ")";
    }
}
