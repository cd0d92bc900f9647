package org.tribuoadapt.tta.method;

/**
 * The service through which a test-time adaptation method registers itself with {@link TestTimeMethods}: each method
 * package holds one provider per method and names it in
 * {@code META-INF/services/org.tribuoadapt.tta.method.TestTimeMethodProvider}, so adding a method touches only its
 * package and that file. Implementations need a public no-argument constructor ({@link java.util.ServiceLoader}).
 */
public interface TestTimeMethodProvider {

    /**
     * The method with its default settings, as command lines and benchmarks run it when they are given its name.
     * Its {@link TestTimeMethod#name()} is the name it is registered under.
     * @return A new method.
     */
    TestTimeMethod createDefault();
}
