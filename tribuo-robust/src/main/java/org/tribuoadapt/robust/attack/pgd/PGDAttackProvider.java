package org.tribuoadapt.robust.attack.pgd;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link PGDAttack} (Madry et al. 2018) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class PGDAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public PGDAttackProvider() {
        super(PGDAttack.NAME, PGDAttack.class);
    }
}
