package org.tribuoadapt.robust.attack.fgsm;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link FGSMAttack} (Goodfellow et al. 2015) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class FGSMAttackProvider implements AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public FGSMAttackProvider() {}

    @Override
    public String name() {
        return FGSMAttack.NAME;
    }

    @Override
    public Class<FGSMAttack> type() {
        return FGSMAttack.class;
    }
}
