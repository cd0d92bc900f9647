package org.tribuoadapt.hpo.search.pbt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One interval of one member of a population based training run (Jaderberg et al. 2017): the hyper-parameters
 * it trained with, the seed of its trainer, the validation score it reached, and the segment whose final weights
 * it started from, which is the member's own previous segment, or another member's latest segment when the member
 * exploited that one, or none for the first interval (fresh weights from the seed).
 *
 * @param member The member, from 0.
 * @param interval The member's interval, from 1.
 * @param params The hyper-parameters, by {@code component.property}, as the configuration receives them.
 * @param seed The trainer seed of this interval (initial weights on the first interval, batch order and dropout).
 * @param score The validation metric after the interval.
 * @param startMember The member whose weights the interval started from, or {@link #FRESH} for fresh weights.
 * @param startInterval That member's interval, or 0 for fresh weights.
 */
public record PbtSegment(int member, int interval, Map<String, Object> params, long seed, double score,
                         int startMember, int startInterval) {

    /** The {@code startMember} of a segment that starts from fresh weights. */
    public static final int FRESH = -1;

    /**
     * Copies the hyper-parameters, keeping their order.
     */
    public PbtSegment {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * Whether the segment starts from weights copied from another member (an exploit step before it).
     * @return True if the start member is another member.
     */
    public boolean exploited() {
        return startMember != FRESH && startMember != member;
    }
}
