package org.tribuoadapt.hpo.search;

import java.util.HashSet;
import java.util.List;

/**
 * A property taking one of a list of strings; the internal representation is the choice's index. Optuna's
 * {@code CategoricalDistribution} restricted to strings, since configuration values are strings.
 * @param choices The choices, distinct and at least one.
 */
public record CategoricalDistribution(List<String> choices) implements Distribution {

    /**
     * Checks the choices.
     */
    public CategoricalDistribution {
        choices = List.copyOf(choices);
        if (choices.isEmpty() || new HashSet<>(choices).size() != choices.size()) {
            throw new IllegalArgumentException("categorical choices must be distinct and at least one, found " + choices);
        }
    }

    @Override
    public double toInternal(Object external) {
        int index = choices.indexOf(String.valueOf(external));
        if (index < 0) {
            throw new IllegalArgumentException("'" + external + "' is not one of " + choices);
        }
        return index;
    }

    @Override
    public Object toExternal(double internal) {
        return choices.get((int) internal);
    }

    @Override
    public boolean contains(double internal) {
        return internal >= 0 && internal < choices.size() && internal == Math.rint(internal);
    }
}
