package org.tribuoadapt.hpo.search.pbt;

import org.tribuoadapt.hpo.search.Direction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * The exploit step of population based training (Jaderberg et al. 2017, truncation selection): rank the members by
 * their latest score; a member in the bottom {@code quantile} copies a member drawn uniformly from the top
 * {@code quantile}. Each quantile holds {@code ceil(n * quantile)} of the {@code n} scored members, at most
 * {@code floor(n / 2)} so the two never overlap; with fewer than two scored members nobody exploits. Ties rank the
 * lower member number first.
 */
public final class TruncationSelection {

    private final Direction direction;
    private final double quantile;

    /**
     * Creates the rule.
     * @param direction Whether higher or lower scores are better.
     * @param quantile The share of the population in each of the bottom and top groups, in (0, 0.5].
     */
    public TruncationSelection(Direction direction, double quantile) {
        if (!(quantile > 0 && quantile <= 0.5)) {
            throw new IllegalArgumentException("quantile must be in (0, 0.5], found " + quantile);
        }
        this.direction = direction;
        this.quantile = quantile;
    }

    /**
     * The scored members, best first.
     * @param scores The latest score of each scored member.
     * @return The member numbers.
     */
    public List<Integer> ranked(Map<Integer, Double> scores) {
        for (Map.Entry<Integer, Double> e : scores.entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("member " + e.getKey() + " has the score " + e.getValue());
            }
        }
        List<Integer> members = new ArrayList<>(scores.keySet());
        members.sort(Comparator.<Integer>comparingDouble(m -> direction.loss(scores.get(m))).thenComparing(m -> m));
        return members;
    }

    /**
     * The size of each of the bottom and top groups.
     * @param scored The number of scored members.
     * @return {@code min(ceil(scored * quantile), floor(scored / 2))}, 0 below two members.
     */
    public int groupSize(int scored) {
        return Math.min((int) Math.ceil(scored * quantile - 1e-9), scored / 2);
    }

    /**
     * The member to copy, if this one is in the bottom group.
     * @param member The member that reached a checkpoint; it must be scored.
     * @param scores The latest score of each scored member.
     * @param rng The generator of the draw among the top group (used only when the member exploits).
     * @return The member to copy, or empty if the member keeps its own weights.
     */
    public OptionalInt donor(int member, Map<Integer, Double> scores, SplittableRandom rng) {
        if (!scores.containsKey(member)) {
            throw new IllegalArgumentException("member " + member + " has no score among " + scores.keySet());
        }
        List<Integer> ranked = ranked(scores);
        int group = groupSize(ranked.size());
        if (group == 0 || ranked.indexOf(member) < ranked.size() - group) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(ranked.get(rng.nextInt(group)));
    }
}
