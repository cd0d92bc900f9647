package org.tribuoadapt.robust.attack;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;

import java.io.Serializable;

/**
 * A configurable evasion attack with a perturbation budget: inputs move at most {@link #epsilon()} in
 * {@link #norm()} and always stay in the valid range [0, 1]. Its settings are its OLCUT configuration, so they are
 * recorded in the provenance of every trainer and evaluation that uses it.
 */
public interface Attack extends Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {

    /**
     * A short name for reports, e.g. {@code pgd-linf-20}.
     * @return The name.
     */
    String name();

    /**
     * The norm the budget is measured in.
     * @return The norm.
     */
    AttackNorm norm();

    /**
     * The perturbation budget.
     * @return Epsilon, at least 0.
     */
    double epsilon();

    /**
     * The same attack with another budget; step sizes given in absolute units scale with it.
     * @param epsilon The new budget.
     * @return A new attack.
     */
    Attack withEpsilon(double epsilon);
}
