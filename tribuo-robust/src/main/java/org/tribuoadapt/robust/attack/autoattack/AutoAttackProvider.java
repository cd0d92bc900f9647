package org.tribuoadapt.robust.attack.autoattack;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link AutoAttack} (Croce and Hein 2020) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class AutoAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public AutoAttackProvider() {
        super(AutoAttack.NAME, AutoAttack.class);
    }
}
