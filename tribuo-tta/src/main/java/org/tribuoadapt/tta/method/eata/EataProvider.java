package org.tribuoadapt.tta.method.eata;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link Eata} (Niu et al. 2022) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class EataProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public EataProvider() {}

    @Override
    public Eata createDefault() {
        return Eata.withDefaults();
    }
}
