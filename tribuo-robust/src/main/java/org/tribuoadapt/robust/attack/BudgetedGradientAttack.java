package org.tribuoadapt.robust.attack;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

/**
 * The settings every norm-bounded gradient attack shares, configured once as Tribuo's trainers share theirs
 * ({@code AbstractSGDTrainer}): the norm and the budget epsilon of the perturbation, their accessors, the check of
 * the budget and the provenance.
 */
public abstract class BudgetedGradientAttack implements GradientAttack {
    private static final long serialVersionUID = 1L;

    /** The norm of the budget. */
    @Config(description = "The norm of the budget.")
    protected AttackNorm norm = AttackNorm.LINF;

    /** The perturbation budget. */
    @Config(description = "The perturbation budget.")
    protected double epsilon = 0.1;

    /** For subclasses; they set the fields and call {@link #postConfig()}. */
    protected BudgetedGradientAttack() {}

    /**
     * Checks the budget; subclasses that check more call this first.
     */
    @Override
    public void postConfig() {
        AttackChecks.epsilon(epsilon);
    }

    @Override
    public final AttackNorm norm() {
        return norm;
    }

    @Override
    public final double epsilon() {
        return epsilon;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Attack");
    }
}
