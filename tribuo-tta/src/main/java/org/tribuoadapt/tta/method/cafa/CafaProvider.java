package org.tribuoadapt.tta.method.cafa;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Cafa} (Jung et al. 2023) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class CafaProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public CafaProvider() {}

    @Override
    public Cafa createDefault() {
        return Cafa.withDefaults();
    }
}
