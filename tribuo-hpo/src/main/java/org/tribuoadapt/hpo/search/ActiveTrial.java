package org.tribuoadapt.hpo.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trial an {@link Objective} is evaluating: its sampled values and the means to record progress and attributes
 * in the study's storage.
 */
public final class ActiveTrial {

    private final StudyStorage storage;
    private final StudyStorage.TrialRef ref;
    private final Map<String, Object> params;

    ActiveTrial(StudyStorage storage, StudyStorage.TrialRef ref, Map<String, Object> params) {
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
     * Records an intermediate value (for example a validation metric after an epoch).
     * @param step The step.
     * @param value The value.
     */
    public void report(int step, double value) {
        storage.setIntermediateValue(ref.id(), step, value);
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
