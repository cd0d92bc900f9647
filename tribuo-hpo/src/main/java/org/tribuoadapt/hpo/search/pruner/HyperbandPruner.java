package org.tribuoadapt.hpo.search.pruner;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Pruner;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 2018) over
 * asynchronous successive halving, with the rules and defaults of Optuna 3.1's {@code HyperbandPruner}: there are
 * {@code floor(log_reductionFactor(maxResource / minResource)) + 1} brackets, bracket {@code b} being a
 * {@link SuccessiveHalvingPruner} with {@code minEarlyStoppingRate = b} that only sees the trials of its bracket.
 * Bracket {@code b} gets a budget of {@code ceil(nBrackets * reductionFactor^s / (s + 1))} with
 * {@code s = nBrackets - 1 - b}, and a trial goes to the bracket in which {@code crc32("<study name>_<trial number>")}
 * modulo the total budget falls, as in Optuna, so Java and Python workers place a trial in the same bracket.
 * <p>
 * Defaults as Optuna's: {@code minResource} 1, {@code maxResource} {@code auto} (one more than the largest last step
 * of the COMPLETE trials; the brackets are fixed when the first COMPLETE trial with intermediate values exists, and
 * then kept by this pruner object, as Optuna keeps them per process), {@code reductionFactor} 3,
 * {@code bootstrapCount} 0. Unlike Optuna, the samplers of this package do not restrict their history to the judged
 * trial's bracket (Optuna's TPE does when the study's pruner is a Hyperband pruner).
 */
public final class HyperbandPruner implements Pruner {

    @Config(description = "Steps of the first rung of the most aggressive bracket (Optuna: 1).")
    private int minResource = 1;

    @Config(description = "Steps a trial is expected to run: an integer, or auto (Optuna: auto).")
    private String maxResource = "auto";

    @Config(description = "The factor between rungs (Optuna: 3).")
    private int reductionFactor = 3;

    @Config(description = "Values a rung needs before any trial is promoted from it (Optuna: 0).")
    private int bootstrapCount = 0;

    private Integer resolvedMaxResource;
    private List<SuccessiveHalvingPruner> brackets;
    private long[] budgets;
    private long totalBudget;

    /**
     * Creates a pruner with Optuna's defaults.
     */
    public HyperbandPruner() {}

    /**
     * Creates a pruner.
     * @param minResource Steps of the first rung of the most aggressive bracket.
     * @param maxResource Steps a trial is expected to run, or 0 for {@code auto}.
     * @param reductionFactor The factor between rungs.
     * @param bootstrapCount Values a rung needs before promoting.
     */
    public HyperbandPruner(int minResource, int maxResource, int reductionFactor, int bootstrapCount) {
        this.minResource = minResource;
        this.maxResource = maxResource == 0 ? "auto" : Integer.toString(maxResource);
        this.reductionFactor = reductionFactor;
        this.bootstrapCount = bootstrapCount;
        postConfig();
    }

    @Override
    public synchronized void postConfig() {
        if (minResource < 1) {
            throw new PropertyException("", "minResource", "must be >= 1, found " + minResource);
        }
        if (reductionFactor < 2) {
            throw new PropertyException("", "reductionFactor", "must be >= 2, found " + reductionFactor);
        }
        if (bootstrapCount < 0) {
            throw new PropertyException("", "bootstrapCount", "must be >= 0, found " + bootstrapCount);
        }
        if (!maxResource.equals("auto")) {
            try {
                resolvedMaxResource = Integer.valueOf(maxResource);
            } catch (NumberFormatException e) {
                throw new PropertyException(e, "", "maxResource", "must be an integer or auto, found '" + maxResource + "'");
            }
            if (resolvedMaxResource < minResource) {
                throw new PropertyException("", "maxResource", "must be >= minResource (" + minResource + "), found "
                        + maxResource);
            }
        } else if (bootstrapCount > 0) {
            throw new PropertyException("", "bootstrapCount", "bootstrapCount > 0 needs an integer maxResource, not auto");
        }
    }

    @Override
    public synchronized boolean prune(Context context) {
        if (brackets == null && !initialise(context.trials())) {
            return false;
        }
        int bracket = bracketOf(context.studyName(), context.trial().number());
        List<Trial> inBracket = context.trials().stream()
                .filter(t -> bracketOf(context.studyName(), t.number()) == bracket).toList();
        return brackets.get(bracket).prune(new Context() {
            @Override
            public String studyName() {
                return context.studyName();
            }

            @Override
            public Direction direction() {
                return context.direction();
            }

            @Override
            public List<Trial> trials() {
                return inBracket;
            }

            @Override
            public Trial trial() {
                return context.trial();
            }

            @Override
            public void setTrialSystemAttribute(String key, Object value) {
                context.setTrialSystemAttribute(key, value);
            }
        });
    }

    private boolean initialise(List<Trial> trials) {
        if (resolvedMaxResource == null) {
            int lastStep = trials.stream().filter(t -> t.state() == TrialState.COMPLETE && t.lastStep().isPresent())
                    .mapToInt(t -> t.lastStep().getAsInt()).max().orElse(-1);
            if (lastStep < 0) {
                return false;
            }
            resolvedMaxResource = lastStep + 1;
        }
        int nBrackets = (int) Math.floor(Math.log((double) resolvedMaxResource / minResource) / Math.log(reductionFactor)) + 1;
        if (nBrackets < 1) {
            throw new IllegalStateException("Hyperband needs maxResource >= minResource, found maxResource "
                    + resolvedMaxResource + " and minResource " + minResource);
        }
        List<SuccessiveHalvingPruner> pruners = new ArrayList<>();
        budgets = new long[nBrackets];
        totalBudget = 0;
        for (int b = 0; b < nBrackets; b++) {
            int s = nBrackets - 1 - b;
            budgets[b] = (long) Math.ceil(nBrackets * Math.pow(reductionFactor, s) / (s + 1));
            totalBudget += budgets[b];
            pruners.add(new SuccessiveHalvingPruner(minResource, reductionFactor, b, bootstrapCount));
        }
        brackets = pruners;
        return true;
    }

    /**
     * The bracket of a trial, as Optuna's {@code _get_bracket_id}.
     * @param studyName The study's name.
     * @param number The trial's number.
     * @return The bracket.
     */
    int bracketOf(String studyName, int number) {
        CRC32 crc = new CRC32();
        crc.update((studyName + "_" + number).getBytes(StandardCharsets.UTF_8));
        long n = crc.getValue() % totalBudget;
        for (int b = 0; b < budgets.length; b++) {
            n -= budgets[b];
            if (n < 0) {
                return b;
            }
        }
        throw new IllegalStateException("bracket budgets do not cover " + crc.getValue() % totalBudget);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pruner");
    }

    @Override
    public String toString() {
        return "HyperbandPruner(minResource=" + minResource + ", maxResource=" + maxResource + ", reductionFactor="
                + reductionFactor + ", bootstrapCount=" + bootstrapCount + ")";
    }
}
