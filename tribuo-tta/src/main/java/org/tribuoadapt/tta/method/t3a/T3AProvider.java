package org.tribuoadapt.tta.method.t3a;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link T3A} (Iwasawa and Matsuo 2021) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class T3AProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public T3AProvider() {}

    @Override
    public T3A createDefault() {
        return new T3A(100, "head", false);
    }
}
