package org.tribuoadapt.core.train;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import org.tribuoadapt.core.nn.Parameter;

import java.io.Serializable;
import java.util.List;

/**
 * A configurable source of {@link NetworkOptimiser}s. Trainers hold a factory, not an optimiser, and create a
 * fresh optimiser (with fresh state) for every training run, so a trainer can be reused and its provenance
 * records the optimiser's settings. Other modules plug in their own optimisers (for example hypergradient
 * descent) by implementing this interface.
 */
public interface OptimiserFactory extends Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {

    /**
     * Creates an optimiser for the given parameters.
     * @param parameters The trainable parameters, in a fixed order.
     * @param plan What the training run will do, for optimisers that set themselves from it.
     * @return A new optimiser; the caller closes it.
     */
    NetworkOptimiser create(List<Parameter> parameters, TrainingPlan plan);

    /**
     * The factory's configuration as provenance.
     * @return The provenance.
     */
    @Override
    default ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "OptimiserFactory");
    }
}
