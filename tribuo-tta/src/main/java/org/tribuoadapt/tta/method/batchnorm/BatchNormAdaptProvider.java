package org.tribuoadapt.tta.method.batchnorm;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link BatchNormAdapt} (Nado et al. 2020; Schneider et al. 2020) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class BatchNormAdaptProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public BatchNormAdaptProvider() {}

    @Override
    public BatchNormAdapt createDefault() {
        return new BatchNormAdapt();
    }
}
