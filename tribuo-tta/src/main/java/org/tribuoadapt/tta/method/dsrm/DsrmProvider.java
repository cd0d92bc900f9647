package org.tribuoadapt.tta.method.dsrm;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Dsrm} (Zhang et al. 2023) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class DsrmProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public DsrmProvider() {}

    @Override
    public Dsrm createDefault() {
        return Dsrm.withDefaults();
    }
}
