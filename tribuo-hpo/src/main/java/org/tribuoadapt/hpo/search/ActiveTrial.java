package org.tribuoadapt.hpo.search;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The trial an {@link Objective} is evaluating: its sampled values and the means to report progress, ask the study's
 * {@link Pruner} whether to stop (single-objective studies only) (Optuna's {@code trial.report} and {@code trial.should_prune}) and record
 * attributes in the study's storage.
 */
public final class ActiveTrial {

    private static final Logger logger = Logger.getLogger(ActiveTrial.class.getName());

    private final Study study;
    private final StudyStorage storage;
    private final StudyStorage.TrialRef ref;
    private final Map<String, Object> params;
    private final Set<Integer> reportedSteps = new HashSet<>();

    ActiveTrial(Study study, StudyStorage storage, StudyStorage.TrialRef ref, Map<String, Object> params) {
        this.study = study;
        this.storage = storage;
        this.ref = ref;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * The trial's number in its study.
     * @return The number.
     */
    public int number() {
        return ref.number();
    }

    /**
     * The sampled values, by {@code component.property}, in search order.
     * @return External values ({@code Double}, {@code Long} or {@code String}).
     */
    public Map<String, Object> params() {
        return params;
    }

    /**
     * Records an intermediate value (for example a validation metric after an epoch). As in Optuna, a step already
     * reported keeps its first value (a warning is logged), and NaN is recorded (pruners treat it as the worst).
     * @param step The step, from 0 (pruners' warm-up and resource counts are in steps).
     * @param value The value.
     */
    public void report(int step, double value) {
        if (step < 0) {
            throw new IllegalArgumentException("the step of an intermediate value must be >= 0, found " + step);
        }
        if (!reportedSteps.add(step)) {
            logger.warning(() -> "trial " + number() + " already reported step " + step + "; the value " + value
                    + " is ignored");
            return;
        }
        storage.setIntermediateValue(ref.id(), step, value);
    }

    /**
     * Asks the study's pruner whether this trial should stop; an objective that agrees throws {@link TrialPruned}.
     * @return True to prune.
     */
    public boolean shouldPrune() {
        if (study.directions().size() > 1) {
            throw new IllegalStateException("trial " + number() + " belongs to a study with " + study.directions().size()
                    + " objectives; pruning is for single-objective studies only (as in Optuna)");
        }
        List<Trial> trials = study.trials();
        Trial trial = trials.get(ref.number());
        return study.pruner().prune(new Pruner.Context() {
            @Override
            public String studyName() {
                return study.name();
            }

            @Override
            public Direction direction() {
                return study.direction();
            }

            @Override
            public List<Trial> trials() {
                return trials;
            }

            @Override
            public Trial trial() {
                return trial;
            }

            @Override
            public void setTrialSystemAttribute(String key, Object value) {
                storage.setSystemAttribute(ref.id(), key, value);
            }
        });
    }

    /**
     * Records a user attribute.
     * @param key The key.
     * @param value A JSON value (string, number, boolean, list or map).
     */
    public void setUserAttribute(String key, Object value) {
        storage.setUserAttribute(ref.id(), key, value);
    }
}
