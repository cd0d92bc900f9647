package org.tribuoadapt.robust.attack.fab;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link FABAttack} (Croce and Hein 2020) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class FABAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public FABAttackProvider() {
        super(FABAttack.NAME, FABAttack.class);
    }
}
