package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.util.Arrays;
import java.util.Set;

/**
 * A test pruner that prunes the given trial numbers once they have reported a step at or after {@code fromStep}.
 */
public final class ScriptedPruner implements Pruner {

    @Config(description = "The trial numbers to prune.")
    private int[] trials = new int[0];

    @Config(description = "The first step at which they are pruned.")
    private int fromStep;

    private ScriptedPruner() {}

    /**
     * Creates the pruner.
     * @param trials The trial numbers to prune.
     * @param fromStep The first step at which they are pruned.
     */
    public ScriptedPruner(Set<Integer> trials, int fromStep) {
        this.trials = trials.stream().mapToInt(Integer::intValue).sorted().toArray();
        this.fromStep = fromStep;
    }

    @Override
    public boolean prune(Context context) {
        Trial trial = context.trial();
        return Arrays.stream(trials).anyMatch(t -> t == trial.number()) && trial.lastStep().orElse(-1) >= fromStep;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pruner");
    }
}
