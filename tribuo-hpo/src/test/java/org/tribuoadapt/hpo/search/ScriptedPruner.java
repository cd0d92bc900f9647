package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.util.Set;

/**
 * A test pruner that prunes the given trial numbers once they have reported a step at or after {@code fromStep}.
 */
public final class ScriptedPruner implements Pruner {

    private final Set<Integer> trials;
    private final int fromStep;

    /**
     * Creates the pruner.
     * @param trials The trial numbers to prune.
     * @param fromStep The first step at which they are pruned.
     */
    public ScriptedPruner(Set<Integer> trials, int fromStep) {
        this.trials = Set.copyOf(trials);
        this.fromStep = fromStep;
    }

    @Override
    public boolean prune(Context context) {
        Trial trial = context.trial();
        return trials.contains(trial.number()) && trial.lastStep().orElse(-1) >= fromStep;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pruner");
    }
}
