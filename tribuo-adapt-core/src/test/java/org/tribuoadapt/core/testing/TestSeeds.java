package org.tribuoadapt.core.testing;

/**
 * The seeds of the tests that assert a learned result (an accuracy, a margin between two methods): each such
 * test takes its data, training and attack seeds from {@link #of}, which adds the offset named by the system property
 * {@value #PROPERTY} (default 0). Running the suite under other offsets checks that those results hold for other
 * data, initialisations and attack starts, not for one numeric trajectory. Surefire hands the command line's user
 * properties to the test JVM, so {@code mvn -B -o -pl tribuo-robust test -Dtribuoadapt.test.seedOffset=3} runs the
 * module under offset 3. Tests of determinism (the same seed gives the same weights) keep their fixed seeds.
 */
public final class TestSeeds {

    /** The system property holding the offset. */
    public static final String PROPERTY = "tribuoadapt.test.seedOffset";

    private static final long OFFSET = Long.getLong(PROPERTY, 0L);

    private TestSeeds() {}

    /**
     * A seed moved by the offset.
     * @param base The seed the test uses under offset 0.
     * @return {@code base} plus the offset.
     */
    public static long of(long base) {
        return base + OFFSET;
    }
}
