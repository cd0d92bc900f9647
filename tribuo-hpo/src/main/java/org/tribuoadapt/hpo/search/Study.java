package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;
import org.tribuoadapt.core.provenance.ConfiguredObjects;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A hyper-parameter search: trials sampled by a {@link Sampler}, evaluated by an {@link Objective} and kept in a
 * {@link StudyStorage}, after Optuna's define-by-run studies (Akiba et al., "Optuna: A Next-generation
 * Hyperparameter Optimization Framework", KDD 2019), with the space declared up front. A study has one objective, or
 * several (one {@link Direction} each; its best trials are then the Pareto front, {@link #bestTrials()}).
 * <p>
 * The study holds no trial state of its own: every read goes to the storage, so workers in other processes (Java
 * or Python through Optuna) that share the storage see each other's trials.
 */
public final class Study {

    private static final Logger logger = Logger.getLogger(Study.class.getName());

    /** Optuna's system attribute for the reason a trial failed. */
    public static final String FAIL_REASON = "fail_reason";

    /** The study user attribute holding the pruner's provenance (OLCUT JSON), recorded when the study is created. */
    public static final String PRUNER_ATTRIBUTE = "pruner";

    /** The study user attribute holding the {@link FaultPolicy} ({@link FaultPolicy#toAttribute()}), when it has one. */
    public static final String FAULT_POLICY_ATTRIBUTE = "fault_policy";

    /**
     * The trial system attribute holding the time of a running trial's last heartbeat (ISO-8601 UTC text, for example
     * {@code 2026-12-03T19:40:00.123456Z}); Optuna keeps heartbeats in a table of its RDB storage and ignores this key.
     */
    public static final String HEARTBEAT = "heartbeat";

    /** Optuna's system attribute of an enqueued trial ({@code enqueue_trial}): its fixed external values by name. */
    public static final String FIXED_PARAMS = "fixed_params";

    /** Optuna's {@code RetryFailedTrialCallback} system attribute: the number of the first trial of a retry series. */
    public static final String FAILED_TRIAL = "failed_trial";

    /** Optuna's {@code RetryFailedTrialCallback} system attribute: the numbers of the earlier trials of a retry series. */
    public static final String RETRY_HISTORY = "retry_history";

    private final StudyStorage storage;
    private final StudyStorage.StoredStudy stored;
    private final Sampler sampler;
    private final Pruner pruner;
    private final FaultPolicy faults;

    private Study(StudyStorage storage, StudyStorage.StoredStudy stored, Sampler sampler, Pruner pruner,
                  FaultPolicy faults) {
        checkSampler(stored.name(), stored.directions(), sampler);
        this.storage = storage;
        this.stored = stored;
        this.sampler = sampler;
        this.pruner = pruner;
        this.faults = faults;
    }

    /**
     * Creates a new study that never prunes.
     * @param name The name, unused in the storage.
     * @param storage The storage.
     * @param direction The direction.
     * @param sampler The sampler.
     * @return The study.
     */
    public static Study create(String name, StudyStorage storage, Direction direction, Sampler sampler) {
        return create(name, storage, direction, sampler, new NopPruner());
    }

    /**
     * Creates a new study, recording the pruner's provenance in the study user attribute
     * {@value #PRUNER_ATTRIBUTE} so that later workers prune alike.
     * @param name The name, unused in the storage.
     * @param storage The storage.
     * @param direction The direction.
     * @param sampler The sampler.
     * @param pruner The pruner {@link ActiveTrial#shouldPrune()} asks.
     * @return The study.
     */
    public static Study create(String name, StudyStorage storage, Direction direction, Sampler sampler, Pruner pruner) {
        return create(name, storage, List.of(direction), sampler, pruner);
    }

    /**
     * Creates a new study with one objective per direction (a multi-objective study when there are several, which
     * needs a sampler whose {@link Sampler#multiObjective()} is true), recording the pruner as
     * {@link #create(String, StudyStorage, Direction, Sampler, Pruner)} does.
     * @param name The name, unused in the storage.
     * @param storage The storage.
     * @param directions The direction of each objective.
     * @param sampler The sampler.
     * @param pruner The pruner (single-objective studies only prune).
     * @return The study.
     */
    public static Study create(String name, StudyStorage storage, List<Direction> directions, Sampler sampler,
                               Pruner pruner) {
        return create(name, storage, directions, sampler, pruner, FaultPolicy.NONE);
    }

    /**
     * Creates a new study as {@link #create(String, StudyStorage, List, Sampler, Pruner)} does, with a fault policy
     * (heartbeats, stale trials and retries), recorded in the study user attribute {@value #FAULT_POLICY_ATTRIBUTE}
     * when it has a heartbeat so that later workers follow it.
     * @param name The name, unused in the storage.
     * @param storage The storage.
     * @param directions The direction of each objective.
     * @param sampler The sampler.
     * @param pruner The pruner.
     * @param faults The fault policy.
     * @return The study.
     */
    public static Study create(String name, StudyStorage storage, List<Direction> directions, Sampler sampler,
                               Pruner pruner, FaultPolicy faults) {
        checkSampler(name, directions, sampler);
        StudyStorage.StoredStudy stored = storage.createStudy(name, directions);
        storage.setStudyUserAttribute(stored.id(), PRUNER_ATTRIBUTE, new JsonProvenanceSerialization(false)
                .serializeToString(ProvenanceUtil.marshalProvenance(pruner.getProvenance())));
        if (faults.enabled()) {
            storage.setStudyUserAttribute(stored.id(), FAULT_POLICY_ATTRIBUTE, faults.toAttribute());
        }
        return new Study(storage, stored, sampler, pruner, faults);
    }

    /**
     * Opens a study already in the storage (for example one created by another worker or by Optuna) with the pruner
     * recorded when it was created: a new pruner of the same configuration, or a {@link NopPruner} when none was
     * recorded (a study created by Optuna); and with the recorded {@link FaultPolicy}, or {@link FaultPolicy#NONE}.
     * @param name The name.
     * @param storage The storage.
     * @param sampler The sampler.
     * @return The study.
     */
    public static Study load(String name, StudyStorage storage, Sampler sampler) {
        StudyStorage.StoredStudy stored = find(name, storage);
        Object recorded = storage.studyUserAttributes(stored.id()).get(PRUNER_ATTRIBUTE);
        return new Study(storage, stored, sampler, recorded == null ? new NopPruner() : recordedPruner(name, recorded),
                recordedFaults(stored, storage));
    }

    private static FaultPolicy recordedFaults(StudyStorage.StoredStudy stored, StudyStorage storage) {
        Object recorded = storage.studyUserAttributes(stored.id()).get(FAULT_POLICY_ATTRIBUTE);
        return recorded == null ? FaultPolicy.NONE : FaultPolicy.fromAttribute(recorded);
    }

    private static void checkSampler(String name, List<Direction> directions, Sampler sampler) {
        if (directions.size() > 1 && !sampler.multiObjective()) {
            throw new IllegalArgumentException("study '" + name + "' has " + directions.size() + " objectives but "
                    + sampler + " samples single-objective studies only");
        }
    }

    private static Pruner recordedPruner(String study, Object recorded) {
        try {
            ObjectProvenance provenance = ProvenanceUtil.unmarshalProvenance(
                    new JsonProvenanceSerialization(false).deserializeFromString(String.valueOf(recorded)));
            if (!(provenance instanceof ConfiguredObjectProvenance configured)) {
                throw new IllegalArgumentException("it describes a " + provenance.getClassName());
            }
            return ConfiguredObjects.instantiate(configured, Pruner.class);
        } catch (ProvenanceSerializationException | RuntimeException e) {
            throw new IllegalArgumentException("the pruner recorded in the user attribute '" + PRUNER_ATTRIBUTE
                    + "' of study '" + study + "' can not be rebuilt: " + e.getMessage(), e);
        }
    }

    private static StudyStorage.StoredStudy find(String name, StudyStorage storage) {
        return storage.findStudy(name).orElseThrow(
                () -> new IllegalArgumentException("no study named '" + name + "' in " + storage));
    }

    /**
     * Opens a study already in the storage with a given pruner.
     * @param name The name.
     * @param storage The storage.
     * @param sampler The sampler.
     * @param pruner The pruner.
     * @return The study.
     */
    public static Study load(String name, StudyStorage storage, Sampler sampler, Pruner pruner) {
        StudyStorage.StoredStudy stored = find(name, storage);
        return new Study(storage, stored, sampler, pruner, recordedFaults(stored, storage));
    }

    /**
     * This study run by a worker with another fault policy (nothing is recorded in the storage).
     * @param faults The policy.
     * @return A study on the same storage, sampler and pruner.
     */
    public Study withFaultPolicy(FaultPolicy faults) {
        return new Study(storage, stored, sampler, pruner, faults);
    }

    /**
     * The fault policy this worker follows.
     * @return The policy.
     */
    public FaultPolicy faultPolicy() {
        return faults;
    }

    /**
     * Adds a WAITING trial with fixed parameter values, which the next {@link #optimize} of any worker runs before
     * sampling new ones (Optuna's {@code enqueue_trial}: the values go into the system attribute
     * {@value #FIXED_PARAMS}; the parameters not given are sampled).
     * @param params External values by {@code component.property} (numbers, or the text of a categorical choice).
     */
    public void enqueueTrial(Map<String, Object> params) {
        Map<String, Object> fixed = new LinkedHashMap<>(params);
        storage.locked(stored.id(), study -> {
            study.addWaitingTrial(Map.of(), Map.of(), Map.of(), Map.of(FIXED_PARAMS, fixed));
            return null;
        });
    }

    /**
     * The name.
     * @return The study name.
     */
    public String name() {
        return stored.name();
    }

    /**
     * The direction of a single-objective study.
     * @return Whether the objective is minimised or maximised.
     * @throws IllegalStateException If the study has several objectives.
     */
    public Direction direction() {
        if (stored.directions().size() != 1) {
            throw new IllegalStateException("study '" + name() + "' has " + stored.directions().size()
                    + " objectives; use directions()");
        }
        return stored.directions().get(0);
    }

    /**
     * The direction of each objective.
     * @return The directions, one per objective.
     */
    public List<Direction> directions() {
        return stored.directions();
    }

    /**
     * The pruner.
     * @return The pruner {@link ActiveTrial#shouldPrune()} asks.
     */
    public Pruner pruner() {
        return pruner;
    }

    /**
     * Every trial of the study, by number.
     * @return The trials.
     */
    public List<Trial> trials() {
        return storage.trials(stored.id());
    }

    /**
     * The best COMPLETE trial of a single-objective study (the first of equals).
     * @return The trial.
     * @throws IllegalStateException If no trial has completed, or the study has several objectives.
     */
    public Trial bestTrial() {
        if (directions().size() != 1) {
            throw new IllegalStateException("study '" + name() + "' has " + directions().size()
                    + " objectives, so no single best trial; use bestTrials() for the Pareto front");
        }
        return trials().stream()
                .filter(t -> t.state() == TrialState.COMPLETE && t.value() != null)
                .min(Comparator.comparingDouble(t -> direction().loss(t.value())))
                .orElseThrow(() -> new IllegalStateException("study '" + name() + "' has no complete trial yet"));
    }

    /**
     * The Pareto front, Optuna's {@code study.best_trials}: the COMPLETE trials no other trial dominates
     * ({@link Pareto#dominates}), by number. For a single objective, every trial with the best value.
     * @return The trials, possibly none.
     */
    public List<Trial> bestTrials() {
        return Pareto.front(trials(), directions());
    }

    /**
     * Runs trials one after another. A trial whose objective throws {@link TrialPruned} is recorded as PRUNED with
     * its last intermediate value (when that is not NaN) as its value, as Optuna does; one whose objective throws
     * anything else, returns NaN in any objective or returns another number of values than the study has
     * objectives ({@link Objective#evaluateAll}) is recorded as FAIL, with the reason in Optuna's {@code fail_reason} system
     * attribute. Either way the study goes on. The study stops before {@code nTrials} when the sampler has nothing
     * left to try ({@link Sampler#claim}, for example an exhausted grid).
     * <p>
     * Each trial is started while the storage is locked: first, when the {@link FaultPolicy} has a heartbeat, the
     * stale RUNNING trials are failed and retried ({@link #failStaleTrials}); then the first WAITING trial (enqueued,
     * or a retry) is started, as Optuna's {@code _pop_waiting_trial_id} does, and only when there is none a new trial
     * is created. A started WAITING trial keeps the parameters it holds and the {@value #FIXED_PARAMS} it was enqueued
     * with; the others are sampled. While a trial runs, its heartbeat is recorded every interval.
     * @param objective The objective.
     * @param nTrials How many trials to run.
     */
    public void optimize(Objective objective, int nTrials) {
        if (nTrials < 1) {
            throw new IllegalArgumentException("nTrials must be >= 1, found " + nTrials);
        }
        for (int i = 0; i < nTrials; i++) {
            Optional<StudyStorage.TrialRef> ref = storage.locked(stored.id(), study -> startTrial(study, objective.space()));
            if (ref.isEmpty()) {
                logger.info(() -> "study '" + name() + "' stops: " + sampler + " has nothing left to try");
                return;
            }
            runTrial(objective, ref.get());
        }
    }

    /**
     * Fails the stale trials now, as a worker does before it starts a trial (Optuna's {@code fail_stale_trials}); does
     * nothing without a heartbeat in the fault policy.
     * @return The numbers of the trials failed.
     */
    public List<Integer> failStaleTrials() {
        return storage.locked(stored.id(), this::failStaleTrials);
    }

    private Optional<StudyStorage.TrialRef> startTrial(StudyStorage.LockedStudy study, SearchSpace space) {
        failStaleTrials(study);
        Map<String, Object> heartbeat = faults.enabled() ? Map.of(HEARTBEAT, Heartbeat.now()) : Map.of();
        List<Trial> trials = study.trials();
        Optional<Trial> waiting = trials.stream().filter(t -> t.state() == TrialState.WAITING).findFirst();
        if (waiting.isPresent()) {
            logger.info(() -> "study '" + name() + "' starts the waiting trial " + waiting.get().number());
            return Optional.of(study.startWaitingTrial(waiting.get().number(), heartbeat));
        }
        return sampler.claim(trials, space, directions()).map(claimed -> {
            Map<String, Object> attributes = new LinkedHashMap<>(claimed);
            attributes.putAll(heartbeat);
            return study.createTrial(attributes);
        });
    }

    // RUNNING trials with a heartbeat older than the grace period; trials without one (written by a worker without
    // heartbeats, such as Optuna's journal workers) are never stale, as in Optuna's RDBStorage
    private List<Integer> failStaleTrials(StudyStorage.LockedStudy study) {
        if (!faults.enabled()) {
            return List.of();
        }
        Instant now = Instant.now();
        List<Integer> failed = new ArrayList<>();
        for (Trial trial : study.trials()) {
            Optional<Instant> last = lastHeartbeat(trial);
            if (trial.state() != TrialState.RUNNING || last.isEmpty()
                    || Duration.between(last.get(), now).compareTo(faults.gracePeriod()) <= 0) {
                continue;
            }
            String reason = "trial " + trial.number() + " failed because its heartbeat is stale: the last one was at "
                    + last.get() + ", more than the grace period of " + faults.gracePeriod().toMillis() / 1000.0
                    + " s before " + now;
            logger.warning(reason);
            study.failTrial(trial.number(), reason);
            failed.add(trial.number());
            retry(study, trial);
        }
        return failed;
    }

    private static Optional<Instant> lastHeartbeat(Trial trial) {
        Object value = trial.systemAttributes().get(HEARTBEAT);
        try {
            return value == null ? Optional.empty() : Optional.of(Instant.parse(value.toString()));
        } catch (DateTimeParseException e) {
            logger.warning(() -> "trial " + trial.number() + " has an unreadable heartbeat '" + value + "'; ignored");
            return Optional.empty();
        }
    }

    // Optuna's RetryFailedTrialCallback: a WAITING copy with the params, distributions, user attributes and system
    // attributes, failed_trial the first trial of the series and retry_history every earlier trial
    private void retry(StudyStorage.LockedStudy study, Trial failed) {
        List<Integer> history = new ArrayList<>();
        if (failed.systemAttributes().get(RETRY_HISTORY) instanceof List<?> earlier) {
            earlier.forEach(n -> history.add(((Number) n).intValue()));
        }
        history.add(failed.number());
        if (history.size() > faults.maxRetry()) {
            logger.warning(() -> "trial " + failed.number() + " is not retried: max retry " + faults.maxRetry()
                    + " reached (retry history " + history + ")");
            return;
        }
        Map<String, Object> attributes = new LinkedHashMap<>(failed.systemAttributes());
        attributes.remove(HEARTBEAT);
        attributes.remove(FAIL_REASON);
        attributes.putIfAbsent(FAILED_TRIAL, failed.number());
        attributes.put(RETRY_HISTORY, history);
        study.addWaitingTrial(failed.params(), failed.distributions(), failed.userAttributes(), attributes);
        logger.info(() -> "trial " + failed.number() + " is retried by a WAITING copy (retry history " + history + ")");
    }

    private void runTrial(Objective objective, StudyStorage.TrialRef ref) {
        Runnable record;
        try (Heartbeat beat = Heartbeat.start(storage, ref, faults)) {
            record = evaluate(objective, ref);
        }
        try {
            record.run();
        } catch (IllegalStateException e) {
            logger.warning(() -> "trial " + ref.number() + " of study '" + name() + "' ended after another worker had "
                    + "finished it (failed as stale?), so its result is dropped: " + e.getMessage());
        }
    }

    // evaluates the trial and returns how to record its end, which happens once the heartbeat has stopped
    private Runnable evaluate(Objective objective, StudyStorage.TrialRef ref) {
        Map<String, Object> params;
        try {
            params = params(objective.space(), ref);
        } catch (IllegalArgumentException e) {
            return () -> fail(ref, "trial " + ref.number() + " failed because of its parameters: " + e.getMessage(), null);
        }
        double[] values;
        try {
            values = objective.evaluateAll(new ActiveTrial(this, storage, ref, params));
        } catch (TrialPruned e) {
            return () -> prune(ref, e);
        } catch (Exception | LinkageError e) {
            return () -> fail(ref, "trial " + ref.number() + " failed because of the exception: " + e, e);
        }
        if (values.length != directions().size()) {
            return () -> fail(ref, "trial " + ref.number() + " failed, because the objective function returned "
                    + values.length + " values for a study with " + directions().size() + " objectives.", null);
        } else if (Arrays.stream(values).anyMatch(Double::isNaN)) {
            return () -> fail(ref, "trial " + ref.number() + " failed, because the objective function returned nan.", null);
        }
        return () -> {
            storage.finishTrial(ref.id(), TrialState.COMPLETE, Arrays.stream(values).boxed().toList());
            logger.info(() -> "trial " + ref.number() + " of study '" + name() + "' finished with value"
                    + (values.length == 1 ? " " + values[0] : "s " + Arrays.toString(values)) + " and params " + params);
        };
    }

    // the trial's values: those it already holds (a retried trial), those it was enqueued with, the rest sampled
    private Map<String, Object> params(SearchSpace space, StudyStorage.TrialRef ref) {
        List<Trial> history = trials();
        Trial trial = history.get(ref.number());
        Map<?, ?> fixed = trial.systemAttributes().get(FIXED_PARAMS) instanceof Map<?, ?> m ? m : Map.of();
        Map<String, Object> params = new LinkedHashMap<>();
        for (Map.Entry<String, Distribution> e : space.distributions().entrySet()) {
            String name = e.getKey();
            Distribution distribution = e.getValue();
            if (!space.isActive(name, params)) {
                continue;
            }
            if (trial.params().containsKey(name)) {
                if (!distribution.equals(trial.distributions().get(name))) {
                    throw new IllegalArgumentException("'" + name + "' is held with " + trial.distributions().get(name)
                            + " but searched with " + distribution);
                }
                params.put(name, trial.params().get(name));
                continue;
            }
            double internal;
            if (fixed.containsKey(name)) {
                internal = distribution.checked(name, distribution.toInternal(fixed.get(name)));
            } else {
                internal = distribution.checked(name,
                        sampler.sample(history, directions().get(0), ref.number(), name, distribution));
            }
            storage.setParam(ref.id(), name, internal, distribution);
            params.put(name, distribution.toExternal(internal));
        }
        return params;
    }

    private void prune(StudyStorage.TrialRef ref, TrialPruned signal) {
        Trial trial = trials().get(ref.number());
        Double last = directions().size() > 1 ? null : trial.lastStep().stream().mapToObj(step -> trial.intermediateValues().get(step))
                .filter(v -> !Double.isNaN(v)).findFirst().orElse(null);
        storage.finishTrial(ref.id(), TrialState.PRUNED, last);
        logger.info(() -> "trial " + ref.number() + " of study '" + name() + "' pruned: " + signal.getMessage());
    }

    private void fail(StudyStorage.TrialRef ref, String reason, Throwable cause) {
        logger.log(Level.WARNING, reason, cause);
        storage.setSystemAttribute(ref.id(), FAIL_REASON, reason);
        storage.finishTrial(ref.id(), TrialState.FAIL, (List<Double>) null);
    }
}
