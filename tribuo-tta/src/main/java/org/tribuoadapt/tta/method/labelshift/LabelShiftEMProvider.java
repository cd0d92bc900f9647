package org.tribuoadapt.tta.method.labelshift;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link LabelShiftEM} (Saerens et al. 2002) with {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class LabelShiftEMProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public LabelShiftEMProvider() {}

    @Override
    public LabelShiftEM createDefault() {
        return new LabelShiftEM(64, 100, 1e-6);
    }
}
