package org.tribuoadapt.peft;

import java.util.List;

/**
 * Makes one new adapter out of adapters of a network (PEFT's {@code add_weighted_adapter}).
 * {@link PeftModel#addWeightedAdapter} runs it on a fresh copy of the model's network and adds the result. The
 * combinations themselves ({@code org.tribuoadapt.peft.combine.AdapterCombination}) build on the framework, so the
 * framework knows them only through this interface.
 */
public interface AdapterCombiner {

    /**
     * Combines adapters into a new adapter; the network is left as it was.
     * @param network The network holding the sources.
     * @param adapters The source adapters.
     * @param weights One weight per source (negative weights subtract).
     * @param newName The new adapter's name.
     * @return The new adapter, with its origin describing the combination.
     * @throws IllegalArgumentException for unknown or repeated sources, mismatched weights, or sources the combination
     * cannot combine.
     */
    StoredAdapter combine(PeftNetwork network, List<String> adapters, List<Double> weights, String newName);
}
