package org.tribuoadapt.robust.attack;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of attacks: every {@link AttackProvider} on the class path by family name, in the order of the
 * service files. Attacks are configured through OLCUT, so the registry maps a family name to the class that a
 * configuration names as the component type.
 */
public final class Attacks {

    private static final Map<String, AttackProvider> PROVIDERS = load();

    private Attacks() {}

    private static Map<String, AttackProvider> load() {
        Map<String, AttackProvider> providers = new LinkedHashMap<>();
        for (AttackProvider provider : ServiceLoader.load(AttackProvider.class, Attacks.class.getClassLoader())) {
            AttackProvider previous = providers.putIfAbsent(provider.name(), provider);
            if (previous != null) {
                throw new IllegalStateException("two attacks are registered as '" + provider.name() + "': "
                        + previous.type().getName() + " and " + provider.type().getName());
            }
        }
        return Collections.unmodifiableMap(providers);
    }

    /**
     * The registered family names, in registration order.
     * @return The names.
     */
    public static List<String> names() {
        return List.copyOf(PROVIDERS.keySet());
    }

    /**
     * The class of a registered attack.
     * @param name A family name, e.g. {@code pgd}.
     * @return The class.
     * @throws IllegalArgumentException listing the registered names, for an unknown one.
     */
    public static Class<? extends Attack> type(String name) {
        AttackProvider provider = PROVIDERS.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("unknown attack '" + name + "'; attacks are " + names());
        }
        return provider.type();
    }
}
