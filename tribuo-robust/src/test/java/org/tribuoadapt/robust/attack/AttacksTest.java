package org.tribuoadapt.robust.attack;

import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.testing.CompiledClasses;
import org.tribuoadapt.robust.attack.apgd.APGDAttack;
import org.tribuoadapt.robust.attack.apgdt.APGDTargetedAttack;
import org.tribuoadapt.robust.attack.autoattack.AutoAttack;
import org.tribuoadapt.robust.attack.fab.FABAttack;
import org.tribuoadapt.robust.attack.fgsm.FGSMAttack;
import org.tribuoadapt.robust.attack.pgd.PGDAttack;
import org.tribuoadapt.robust.attack.square.SquareAttack;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class AttacksTest {

    @Test
    public void everyAttackOfTheModuleIsRegisteredOnce() {
        Set<Class<? extends Attack>> registered = Attacks.names().stream().map(Attacks::type).collect(Collectors.toSet());
        assertEquals(Set.copyOf(CompiledClasses.implementations(Attack.class, "org.tribuoadapt.robust.attack")), registered);
        assertEquals(registered.size(), Attacks.names().size());
    }

    @Test
    public void namesResolveToClassesWhoseAttacksCarryTheName() {
        assertEquals(List.of("fgsm", "pgd", "apgd-ce", "square", "apgd-t", "fab-t", "autoattack"), Attacks.names());
        assertEquals(PGDAttack.class, Attacks.type("pgd"));
        List<Attack> attacks = List.of(new FGSMAttack(AttackNorm.LINF, 0.1), new PGDAttack(AttackNorm.L2, 0.5, 10),
                new APGDAttack(AttackNorm.LINF, 0.1, 20), new SquareAttack(0.1, 100, 1, 28, 28),
                new APGDTargetedAttack(AttackNorm.LINF, 0.1, 20, 9), new FABAttack(AttackNorm.L2, 0.5, 20, 9),
                new AutoAttack(AttackNorm.LINF, 0.03));
        for (Attack attack : attacks) {
            String family = Attacks.names().stream().filter(n -> Attacks.type(n) == attack.getClass()).findFirst()
                    .orElseThrow();
            assertTrue(attack.name().startsWith(family + "-"), attack.name() + " does not start with " + family);
        }
    }

    @Test
    public void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attacks.type("cw"));
        assertEquals("unknown attack 'cw'; attacks are [fgsm, pgd, apgd-ce, square, apgd-t, fab-t, autoattack]", e.getMessage());
    }
}
