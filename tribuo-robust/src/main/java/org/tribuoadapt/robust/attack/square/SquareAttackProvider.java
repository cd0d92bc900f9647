package org.tribuoadapt.robust.attack.square;

import org.tribuoadapt.robust.attack.AttackProvider;

/**
 * Registers {@link SquareAttack} (Andriushchenko et al. 2020) with {@link org.tribuoadapt.robust.attack.Attacks}.
 */
public final class SquareAttackProvider extends AttackProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public SquareAttackProvider() {
        super(SquareAttack.NAME, SquareAttack.class);
    }
}
