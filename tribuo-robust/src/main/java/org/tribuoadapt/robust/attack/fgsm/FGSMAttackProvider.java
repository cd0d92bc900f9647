package org.tribuoadapt.robust.attack.fgsm;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link FGSMAttack} (Goodfellow et al. 2015) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class FGSMAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public FGSMAttackProvider() {
        super(FGSMAttack.NAME, FGSMAttack.class);
    }
}
