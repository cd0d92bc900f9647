package org.tribuoadapt.tta.method;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of test-time adaptation methods: every {@link TestTimeMethodProvider} on the class path, by the
 * {@link TestTimeMethod#name()} of the method it creates, in the order of the service files (this module lists
 * Source first, the baseline every benchmark reports first). Command lines and benchmarks resolve method names here.
 */
public final class TestTimeMethods {

    private static final Map<String, TestTimeMethodProvider> PROVIDERS = load();

    private TestTimeMethods() {}

    private static Map<String, TestTimeMethodProvider> load() {
        Map<String, TestTimeMethodProvider> providers = new LinkedHashMap<>();
        for (TestTimeMethodProvider provider : ServiceLoader.load(TestTimeMethodProvider.class,
                TestTimeMethods.class.getClassLoader())) {
            String name = provider.createDefault().name();
            TestTimeMethodProvider previous = providers.putIfAbsent(name, provider);
            if (previous != null) {
                throw new IllegalStateException("two test-time methods are registered as '" + name + "': "
                        + previous.getClass().getName() + " and " + provider.getClass().getName());
            }
        }
        return Collections.unmodifiableMap(providers);
    }

    /**
     * The registered names, in registration order.
     * @return The names.
     */
    public static List<String> names() {
        return List.copyOf(PROVIDERS.keySet());
    }

    /**
     * A method with its default settings.
     * @param name A registered name, e.g. {@code tent}.
     * @return A new method.
     * @throws IllegalArgumentException listing the registered names, for an unknown one.
     */
    public static TestTimeMethod create(String name) {
        TestTimeMethodProvider provider = PROVIDERS.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("unknown method '" + name + "'; methods are " + names());
        }
        return provider.createDefault();
    }

    /**
     * Several methods with their default settings.
     * @param names Registered names.
     * @return New methods, in the same order.
     * @throws IllegalArgumentException listing the registered names, for an unknown one.
     */
    public static List<TestTimeMethod> create(List<String> names) {
        List<TestTimeMethod> out = new ArrayList<>();
        for (String name : names) {
            out.add(create(name));
        }
        return out;
    }
}
