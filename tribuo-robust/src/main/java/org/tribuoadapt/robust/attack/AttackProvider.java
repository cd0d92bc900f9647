package org.tribuoadapt.robust.attack;

/**
 * The service through which an attack registers itself with {@link Attacks}: each attack package holds one provider
 * and names it in {@code META-INF/services/org.tribuoadapt.robust.attack.AttackProvider}, so adding an attack touches
 * only its package and that file. Implementations need a public no-argument constructor
 * ({@link java.util.ServiceLoader}).
 */
public interface AttackProvider {

    /**
     * The attack's family name, the prefix of every {@link Attack#name()} its instances report, e.g. {@code pgd}.
     * @return The name.
     */
    String name();

    /**
     * The attack's class, which OLCUT configurations name as a component type.
     * @return The class.
     */
    Class<? extends Attack> type();
}
