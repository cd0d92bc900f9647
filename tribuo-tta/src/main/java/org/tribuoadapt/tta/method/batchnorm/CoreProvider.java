package org.tribuoadapt.tta.method.batchnorm;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Core} (You, Li and Zhao 2021, alpha = 0.1) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class CoreProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public CoreProvider() {}

    @Override
    public Core createDefault() {
        return Core.withDefaults();
    }
}
