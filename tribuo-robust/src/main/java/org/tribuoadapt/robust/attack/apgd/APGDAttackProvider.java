package org.tribuoadapt.robust.attack.apgd;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link APGDAttack} (Croce and Hein 2020) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class APGDAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public APGDAttackProvider() {
        super(APGDAttack.NAME, APGDAttack.class);
    }
}
