package org.tribuoadapt.tta.method.source;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link SourceOnly} (no adaptation) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class SourceOnlyProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public SourceOnlyProvider() {}

    @Override
    public SourceOnly createDefault() {
        return new SourceOnly();
    }
}
