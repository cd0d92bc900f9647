package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.io.ProvenanceSerializationException;
import org.tribuoadapt.core.provenance.ConfiguredObjects;

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

    private final StudyStorage storage;
    private final StudyStorage.StoredStudy stored;
    private final Sampler sampler;
    private final Pruner pruner;

    private Study(StudyStorage storage, StudyStorage.StoredStudy stored, Sampler sampler, Pruner pruner) {
        checkSampler(stored.name(), stored.directions(), sampler);
        this.storage = storage;
        this.stored = stored;
        this.sampler = sampler;
        this.pruner = pruner;
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
        checkSampler(name, directions, sampler);
        StudyStorage.StoredStudy stored = storage.createStudy(name, directions);
        storage.setStudyUserAttribute(stored.id(), PRUNER_ATTRIBUTE, new JsonProvenanceSerialization(false)
                .serializeToString(ProvenanceUtil.marshalProvenance(pruner.getProvenance())));
        return new Study(storage, stored, sampler, pruner);
    }

    /**
     * Opens a study already in the storage (for example one created by another worker or by Optuna) with the pruner
     * recorded when it was created: a new pruner of the same configuration, or a {@link NopPruner} when none was
     * recorded (a study created by Optuna).
     * @param name The name.
     * @param storage The storage.
     * @param sampler The sampler.
     * @return The study.
     */
    public static Study load(String name, StudyStorage storage, Sampler sampler) {
        StudyStorage.StoredStudy stored = find(name, storage);
        Object recorded = storage.studyUserAttributes(stored.id()).get(PRUNER_ATTRIBUTE);
        return new Study(storage, stored, sampler, recorded == null ? new NopPruner() : recordedPruner(name, recorded));
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
        return new Study(storage, find(name, storage), sampler, pruner);
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
     * @param objective The objective.
     * @param nTrials How many trials to run.
     */
    public void optimize(Objective objective, int nTrials) {
        if (nTrials < 1) {
            throw new IllegalArgumentException("nTrials must be >= 1, found " + nTrials);
        }
        for (int i = 0; i < nTrials; i++) {
            Optional<StudyStorage.TrialRef> ref = storage.createTrial(stored.id(),
                    trials -> sampler.claim(trials, objective.space(), directions()));
            if (ref.isEmpty()) {
                logger.info(() -> "study '" + name() + "' stops: " + sampler + " has nothing left to try");
                return;
            }
            runTrial(objective, ref.get());
        }
    }

    private void runTrial(Objective objective, StudyStorage.TrialRef ref) {
        List<Trial> history = trials();
        Map<String, Object> params = new LinkedHashMap<>();
        SearchSpace space = objective.space();
        for (Map.Entry<String, Distribution> e : space.distributions().entrySet()) {
            if (!space.isActive(e.getKey(), params)) {
                continue;
            }
            Distribution distribution = e.getValue();
            double internal = distribution.checked(e.getKey(),
                    sampler.sample(history, directions().get(0), ref.number(), e.getKey(), distribution));
            storage.setParam(ref.id(), e.getKey(), internal, distribution);
            params.put(e.getKey(), distribution.toExternal(internal));
        }
        double[] values;
        try {
            values = objective.evaluateAll(new ActiveTrial(this, storage, ref, params));
        } catch (TrialPruned e) {
            prune(ref, e);
            return;
        } catch (Exception | LinkageError e) {
            fail(ref, "trial " + ref.number() + " failed because of the exception: " + e, e);
            return;
        }
        if (values.length != directions().size()) {
            fail(ref, "trial " + ref.number() + " failed, because the objective function returned " + values.length
                    + " values for a study with " + directions().size() + " objectives.", null);
        } else if (Arrays.stream(values).anyMatch(Double::isNaN)) {
            fail(ref, "trial " + ref.number() + " failed, because the objective function returned nan.", null);
        } else {
            storage.finishTrial(ref.id(), TrialState.COMPLETE, Arrays.stream(values).boxed().toList());
            logger.info(() -> "trial " + ref.number() + " of study '" + name() + "' finished with value"
                    + (values.length == 1 ? " " + values[0] : "s " + Arrays.toString(values)) + " and params " + params);
        }
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
