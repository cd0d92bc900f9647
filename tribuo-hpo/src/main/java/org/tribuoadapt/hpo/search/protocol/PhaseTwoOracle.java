package org.tribuoadapt.hpo.search.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A diagnostic beside the two-phase protocol, not part of it: the best phase-2 score among the values phase 1 tried,
 * as if phase 2 had been tuned over the same points (with a grid sampler, over the whole grid). It measures how far
 * the frozen choice is from the best choice phase 2 could have made among those points; reporting it as a method's
 * score would bring back the optimism the protocol removes.
 *
 * @param values The phase-1 values that scored best in phase 2 (the first of equals, in trial order).
 * @param score Their phase-2 score.
 * @param evaluated How many distinct phase-1 points phase 2 trained and scored.
 */
public record PhaseTwoOracle(Map<String, Object> values, double score, int evaluated) {

    /**
     * Copies the values.
     */
    public PhaseTwoOracle {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
}
