package org.tribuoadapt.tta.method.lame;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Lame} (Boudiaf et al. 2022) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class LameProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public LameProvider() {}

    @Override
    public Lame createDefault() {
        return Lame.withDefaults();
    }
}
