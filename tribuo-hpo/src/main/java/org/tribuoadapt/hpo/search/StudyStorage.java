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
    default Optional<TrialRef> createTrial(int studyId,
                                           Function<List<Trial>, Optional<Map<String, Object>>> systemAttributes) {
        return locked(studyId, study -> systemAttributes.apply(study.trials()).map(study::createTrial));
    }

    /**
     * Runs an action on a study while the storage is locked against every other worker, so that what the action
     * decides from the trials it reads (which trial is stale, which waiting trial to start, which grid point is free)
     * is still true when it writes.
     * @param studyId The study.
     * @param action The action.
     * @param <T> What the action returns.
     * @return What the action returned.
     */
    <T> T locked(int studyId, Function<LockedStudy, T> action);

    /**
     * A study while its storage is locked ({@link #locked}): its trials as they are now and the writes that must
     * not interleave with another worker's.
     */
    interface LockedStudy {

        /**
         * The study's trials, by number, including the writes made through this object.
         * @return The trials.
         */
        List<Trial> trials();

        /**
         * Starts a new RUNNING trial.
         * @param systemAttributes Its system attributes.
         * @return The trial.
         */
        TrialRef createTrial(Map<String, Object> systemAttributes);

        /**
         * Adds a WAITING trial (Optuna's {@code add_trial} of a {@code WAITING} trial, as its
         * {@code enqueue_trial} and {@code RetryFailedTrialCallback} do).
         * @param params Its parameters (external values), each with its distribution in {@code distributions}.
         * @param distributions The parameters' distributions.
         * @param userAttributes Its user attributes.
         * @param systemAttributes Its system attributes.
         */
        void addWaitingTrial(Map<String, Object> params, Map<String, Distribution> distributions,
                             Map<String, Object> userAttributes, Map<String, Object> systemAttributes);

        /**
         * Moves a WAITING trial to RUNNING, after recording system attributes on it.
         * @param number The trial's number.
         * @param systemAttributes The attributes to record first.
         * @return The trial.
         * @throws IllegalStateException If the trial is not WAITING.
         */
        TrialRef startWaitingTrial(int number, Map<String, Object> systemAttributes);

        /**
         * Fails a RUNNING trial, recording the reason in Optuna's {@code fail_reason} system attribute.
         * @param number The trial's number.
         * @param reason The reason.
         * @throws IllegalStateException If the trial is not RUNNING.
         */
        void failTrial(int number, String reason);
    }

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
