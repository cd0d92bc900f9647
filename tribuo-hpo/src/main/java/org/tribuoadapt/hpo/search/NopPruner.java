package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * Never prunes (Optuna's {@code NopPruner}); the pruner of a study created without one.
 */
public final class NopPruner implements Pruner {

    /**
     * Creates the pruner.
     */
    public NopPruner() {}

    @Override
    public boolean prune(Context context) {
        return false;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Pruner");
    }

    @Override
    public String toString() {
        return "NopPruner()";
    }
}
