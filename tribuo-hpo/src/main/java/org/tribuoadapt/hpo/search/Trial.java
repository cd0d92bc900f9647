package org.tribuoadapt.hpo.search;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A trial as stored: Optuna's {@code FrozenTrial}.
 * @param number The trial's number within its study, from 0.
 * @param state The state.
 * @param params The external parameter values by name.
 * @param distributions The distribution of each parameter.
 * @param values The objective values, one per objective of the study, or null when the trial has none.
 * @param intermediateValues Reported values by step.
 * @param userAttributes User attributes (JSON values: strings, numbers, booleans, lists, maps).
 * @param systemAttributes System attributes (JSON values), where Optuna's samplers and pruners keep their records
 *     (for example {@code fail_reason}, {@code grid_id}, {@code completed_rung_0}).
 * @param start When it started, or null.
 * @param complete When it finished, or null.
 */
public record Trial(int number, TrialState state, Map<String, Object> params, Map<String, Distribution> distributions,
                    List<Double> values, SortedMap<Integer, Double> intermediateValues, Map<String, Object> userAttributes,
                    Map<String, Object> systemAttributes, LocalDateTime start, LocalDateTime complete) {

    /**
     * Copies the maps.
     */
    public Trial {
        values = values == null ? null : Collections.unmodifiableList(new ArrayList<>(values));
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
        intermediateValues = Collections.unmodifiableSortedMap(new TreeMap<>(intermediateValues));
        userAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(userAttributes));
        systemAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(systemAttributes));
    }

    /**
     * The objective value of a single-objective trial (Optuna's {@code FrozenTrial.value}).
     * @return The value, or null when the trial has none.
     * @throws IllegalStateException If the trial has several objective values.
     */
    public Double value() {
        if (values == null) {
            return null;
        }
        if (values.size() != 1) {
            throw new IllegalStateException("trial " + number + " has " + values.size()
                    + " objective values; a multi-objective trial has no single value, use values()");
        }
        return values.get(0);
    }

    /**
     * The last step with an intermediate value (Optuna's {@code last_step}).
     * @return The step, or empty when none was reported.
     */
    public OptionalInt lastStep() {
        return intermediateValues.isEmpty() ? OptionalInt.empty() : OptionalInt.of(intermediateValues.lastKey());
    }

    /**
     * The internal representation of a parameter, if the trial has it.
     * @param name The parameter.
     * @return Its internal value, or empty.
     */
    public OptionalDouble internalParam(String name) {
        Object external = params.get(name);
        return external == null ? OptionalDouble.empty() : OptionalDouble.of(distributions.get(name).toInternal(external));
    }
}
