package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;

import java.util.List;

/**
 * Draws one parameter of a new trial from the study's history (Optuna's {@code sample_independent}). A sampler
 * keeps no state between calls: its draw depends only on its configuration, the history, the trial number and the
 * parameter, so the same seed and the same finished trials always give the same suggestion, in any process.
 */
public interface Sampler extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * Samples one parameter.
     * @param history The study's trials (any state; samplers use the COMPLETE ones).
     * @param direction The study's direction.
     * @param trialNumber The number of the trial being sampled.
     * @param name The parameter name.
     * @param distribution Its distribution.
     * @return The internal representation of the drawn value.
     */
    double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution);
}
