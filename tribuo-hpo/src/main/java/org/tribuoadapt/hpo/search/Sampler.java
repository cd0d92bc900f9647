package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Draws one parameter of a new trial from the study's history (Optuna's {@code sample_independent}). A sampler
 * keeps no state between calls: its draw depends only on its configuration, the history (which holds the trial being
 * sampled, with the system attributes {@link #claim} gave it), the trial number and the parameter, so the same seed
 * and the same finished trials always give the same suggestion, in any process.
 */
public interface Sampler extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * Samples one parameter.
     * @param history The study's trials, by number, the one being sampled included (any state; samplers use the
     * COMPLETE ones).
     * @param direction The study's direction (for a multi-objective study, which only samplers whose
     * {@link #multiObjective()} is true are given, the first objective's).
     * @param trialNumber The number of the trial being sampled.
     * @param name The parameter name.
     * @param distribution Its distribution.
     * @return The internal representation of the drawn value.
     */
    double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution);

    /**
     * The system attributes a new trial starts with, decided from the study's trials while the storage is locked, so
     * that workers sharing the storage see each other's decisions before making their own (Optuna's
     * {@code GridSampler} records the grid point a trial takes so). The default claims nothing.
     * @param trials The study's trials, up to date, before the new one.
     * @param space The objective's search space.
     * @return The attributes, or empty when the sampler has nothing left to try (no trial is created and the study
     * stops).
     */
    default Optional<Map<String, Object>> claim(List<Trial> trials, SearchSpace space) {
        return Optional.of(Map.of());
    }

    /**
     * Whether the sampler can sample studies with several objectives ({@link Study} refuses the others there).
     * @return False unless the sampler says so.
     */
    default boolean multiObjective() {
        return false;
    }

    /**
     * {@link #claim(List, SearchSpace)} for a study with the given objectives, which is what the study calls; samplers
     * that need the directions to decide (for example a model-based sampler that proposes the whole trial at once)
     * override this one. The default ignores the directions.
     * @param trials The study's trials, up to date, before the new one.
     * @param space The objective's search space.
     * @param directions The direction of each of the study's objectives.
     * @return The attributes, or empty when the sampler has nothing left to try.
     */
    default Optional<Map<String, Object>> claim(List<Trial> trials, SearchSpace space, List<Direction> directions) {
        return claim(trials, space);
    }
}
