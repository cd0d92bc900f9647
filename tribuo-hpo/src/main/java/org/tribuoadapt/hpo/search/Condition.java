package org.tribuoadapt.hpo.search;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a conditional parameter exists: only in trials where an earlier categorical or integer parameter, its parent,
 * was drawn and took one of the given values (compared as text, so {@code 2} matches the integer 2 and
 * {@code sgd} the choice "sgd"). This is Optuna's define-by-run conditional space written down in advance: a trial
 * that does not meet the condition has no value for the parameter, as an Optuna trial that never suggests it.
 * @param parent The parent parameter's name.
 * @param values The parent values under which the parameter exists.
 */
public record Condition(String parent, Set<String> values) {

    /**
     * Checks and copies the values.
     * @param parent The parent parameter's name.
     * @param values The parent values under which the parameter exists.
     */
    public Condition {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("the condition on '" + parent + "' names no value");
        }
        values = Set.copyOf(new TreeSet<>(values));
    }

    /**
     * Whether the condition holds for the values drawn so far.
     * @param drawn External values by parameter name.
     * @return True if the parent was drawn and took one of the values.
     */
    public boolean holds(Map<String, ?> drawn) {
        Object value = drawn.get(parent);
        return value != null && values.contains(String.valueOf(value));
    }

    @Override
    public String toString() {
        return parent + " in " + new TreeSet<>(values);
    }
}
