package org.tribuoadapt.hpo.steplaw;

import com.oracle.labs.mlrg.olcut.config.ConfigurationData;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.config.property.SimpleProperty;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.tribuoadapt.core.train.OptimiserFactory;

import java.util.List;

/**
 * Copies a configured optimiser factory with its {@code learningRate} property replaced, through OLCUT's
 * provenance-to-configuration round trip, so any factory with such a property (core's SGD and Adam, the
 * hypergradient factories) can take a predicted learning rate without knowing its class.
 */
final class LearningRateOverride {

    /** The configuration property every learning-rate-driven factory in Tribuo Adapt uses. */
    static final String PROPERTY = "learningRate";

    private LearningRateOverride() {}

    /**
     * Checks that a factory has a {@code learningRate} property this class can replace.
     * @param base The configured factory.
     * @throws PropertyException naming the {@code base} property if it has none.
     */
    static void check(OptimiserFactory base) {
        ConfiguredObjectProvenance provenance = base.getProvenance();
        if (!provenance.getConfiguredParameters().containsKey(PROPERTY)) {
            throw new PropertyException("", "base", "the base optimiser " + base + " has no '" + PROPERTY
                    + "' configuration property, so its learning rate cannot be set from the Step Law");
        }
    }

    /**
     * Creates a copy of {@code base} whose {@code learningRate} is {@code rate}; the copy validates itself.
     * @param base The configured factory, which has a {@code learningRate} property (see {@link #check}).
     * @param rate The learning rate to set.
     * @return The new factory.
     * @throws IllegalArgumentException if the factory rejects the rate.
     */
    static OptimiserFactory apply(OptimiserFactory base, double rate) {
        check(base);
        ConfiguredObjectProvenance provenance = base.getProvenance();
        List<ConfigurationData> configuration = ProvenanceUtil.extractConfiguration(provenance);
        String name = ProvenanceUtil.computeName(provenance, 0);
        for (ConfigurationData data : configuration) {
            if (data.getName().equals(name)) {
                data.add(PROPERTY, new SimpleProperty(Double.toString(rate)));
            }
        }
        ConfigurationManager manager = new ConfigurationManager();
        try {
            manager.addConfiguration(configuration);
            return (OptimiserFactory) manager.lookup(name);
        } catch (PropertyException e) {
            throw new IllegalArgumentException("the base optimiser " + base + " rejected the learning rate " + rate
                    + ": " + e.getMessage(), e);
        } finally {
            manager.close();
        }
    }
}
