package org.tribuoadapt.tta.method.labelshift;

import org.tribuoadapt.tta.method.TestTimeMethodProvider;

/**
 * Registers {@link LabelShiftAdapter} (Park et al. 2023) around Tent with
 * {@link org.tribuoadapt.tta.method.TestTimeMethods}.
 */
public final class LabelShiftAdapterProvider implements TestTimeMethodProvider {

    /**
     * Creates the provider (for {@link java.util.ServiceLoader}).
     */
    public LabelShiftAdapterProvider() {}

    @Override
    public LabelShiftAdapter createDefault() {
        return LabelShiftAdapter.withDefaults();
    }
}
