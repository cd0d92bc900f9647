package org.tribuoadapt.hpo.search;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where studies live, so that several workers can share one (Optuna's {@code BaseStorage}).
 * Trials are addressed by a storage-wide id; their number counts within their study.
 */
public interface StudyStorage {

    /**
     * A stored study.
     * @param id The storage's id.
     * @param name The name.
     * @param directions The direction of each objective, at least one.
     */
    record StoredStudy(int id, String name, List<Direction> directions) {
        /**
         * Copies the directions.
         */
        public StoredStudy {
            directions = List.copyOf(directions);
            if (directions.isEmpty()) {
                throw new IllegalArgumentException("study '" + name + "' needs at least one direction");
            }
        }
    }

    /**
     * A trial just created.
     * @param id The storage-wide trial id.
     * @param number The trial's number in its study.
     */
    record TrialRef(int id, int number) {}

    /**
     * Creates a single-objective study.
     * @param name The name, not yet used in this storage.
     * @param direction The direction.
     * @return The study.
     */
    default StoredStudy createStudy(String name, Direction direction) {
        return createStudy(name, List.of(direction));
    }

    /**
     * Creates a study with one objective per direction (Optuna's multi-objective studies when there are several).
     * @param name The name, not yet used in this storage.
     * @param directions The direction of each objective, at least one.
     * @return The study.
     */
    StoredStudy createStudy(String name, List<Direction> directions);

    /**
     * Finds a study.
     * @param name The name.
     * @return The study, or empty.
     */
    Optional<StoredStudy> findStudy(String name);

    /**
     * Records a study user attribute (Optuna's {@code study.set_user_attr}).
     * @param studyId The study.
     * @param key The key.
     * @param value A JSON value.
     */
    void setStudyUserAttribute(int studyId, String key, Object value);

    /**
     * The study's user attributes.
     * @param studyId The study.
     * @return The attributes.
     */
    Map<String, Object> studyUserAttributes(int studyId);

    /**
     * Starts a RUNNING trial.
     * @param studyId The study.
     * @return The trial.
     */
    default TrialRef createTrial(int studyId) {
        return createTrial(studyId, trials -> Optional.of(Map.of())).orElseThrow();
    }

    /**
     * Starts a RUNNING trial with system attributes decided, while the storage is locked against every other
     * worker, from the study's trials as they are then (so that two workers never decide from the same state).
     * @param studyId The study.
     * @param systemAttributes The attributes for the study's current trials, or empty to create no trial.
     * @return The trial, or empty when {@code systemAttributes} gave none.
     */
    Optional<TrialRef> createTrial(int studyId, Function<List<Trial>, Optional<Map<String, Object>>> systemAttributes);

    /**
     * Records a sampled parameter.
     * @param trialId The trial.
     * @param name The parameter name.
     * @param internal Its internal representation.
     * @param distribution Its distribution.
     */
    void setParam(int trialId, String name, double internal, Distribution distribution);

    /**
     * Records an intermediate value.
     * @param trialId The trial.
     * @param step The step.
     * @param value The value.
     */
    void setIntermediateValue(int trialId, int step, double value);

    /**
     * Records a user attribute.
     * @param trialId The trial.
     * @param key The key.
     * @param value A JSON value (string, number, boolean, list or map).
     */
    void setUserAttribute(int trialId, String key, Object value);

    /**
     * Records a system attribute (Optuna keeps {@code fail_reason} there).
     * @param trialId The trial.
     * @param key The key.
     * @param value A JSON value.
     */
    void setSystemAttribute(int trialId, String key, Object value);

    /**
     * Ends a trial of a single-objective study.
     * @param trialId The trial.
     * @param state A finished state.
     * @param value The objective value, or null (FAIL).
     */
    default void finishTrial(int trialId, TrialState state, Double value) {
        finishTrial(trialId, state, value == null ? null : List.of(value));
    }

    /**
     * Ends a trial.
     * @param trialId The trial.
     * @param state A finished state.
     * @param values The objective values, one per objective, or null (FAIL).
     */
    void finishTrial(int trialId, TrialState state, List<Double> values);

    /**
     * The trials of a study, by number.
     * @param studyId The study.
     * @return Its trials.
     */
    List<Trial> trials(int studyId);
}
