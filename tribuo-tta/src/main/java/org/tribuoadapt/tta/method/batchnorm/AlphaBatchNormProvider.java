package org.tribuoadapt.tta.method.batchnorm;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link AlphaBatchNorm} (Schneider et al. 2020, alpha = 0.1) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class AlphaBatchNormProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public AlphaBatchNormProvider() {}

    @Override
    public AlphaBatchNorm createDefault() {
        return new AlphaBatchNorm(0.1);
    }
}
