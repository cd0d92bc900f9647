package org.tribuoadapt.robust.attack.apgdt;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link APGDTargetedAttack} (Croce and Hein 2020) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class APGDTargetedAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public APGDTargetedAttackProvider() {
        super(APGDTargetedAttack.NAME, APGDTargetedAttack.class);
    }
}
