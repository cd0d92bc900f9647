package org.tribuoadapt.tta.method.sar;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Sar} (Niu et al. 2023) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class SarProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public SarProvider() {}

    @Override
    public Sar createDefault() {
        return Sar.withDefaults();
    }
}
