package org.tribuoadapt.robust.attack;

/**
 * The service through which an attack registers itself with {@link Attacks}: each attack package holds one provider
 * and names it in {@code META-INF/services/org.tribuoadapt.robust.attack.AttackProvider}, so adding an attack touches
 * only its package and that file. A provider is a public class with a public no-argument constructor
 * ({@link java.util.ServiceLoader}) that passes its attack's family name and class to this one.
 */
public abstract class AttackProvider {

    private final String name;
    private final Class<? extends Attack> type;

    /**
     * Registers an attack.
     * @param name The attack's family name.
     * @param type The attack's class.
     */
    protected AttackProvider(String name, Class<? extends Attack> type) {
        this.name = name;
        this.type = type;
    }

    /**
     * The attack's family name, the prefix of every {@link Attack#name()} its instances report, e.g. {@code pgd}.
     * @return The name.
     */
    public final String name() {
        return name;
    }

    /**
     * The attack's class, which OLCUT configurations name as a component type.
     * @return The class.
     */
    public final Class<? extends Attack> type() {
        return type;
    }
}
