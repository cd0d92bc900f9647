package org.tribuoadapt.tta.method.tent;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Tent} (Wang et al. 2021) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class TentProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public TentProvider() {}

    @Override
    public Tent createDefault() {
        return Tent.withDefaults();
    }
}
