package org.tribuoadapt.hpo.search.pbt;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.tribuoadapt.core.model.NetworkModel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a population based training run (Jaderberg et al. 2017) produced: the lineage of every member (each
 * interval's hyper-parameters, seed, score and the segment it started from), the winner (the best final score, the
 * lower member number on ties), every member's final model and the run's configuration.
 */
public final class PbtResult {

    private final List<PbtSegment> segments;
    private final int winner;
    private final List<NetworkModel> models;
    private final ConfiguredObjectProvenance provenance;

    /**
     * Creates a result.
     * @param segments Every segment, in the order they were trained.
     * @param winner The winning member.
     * @param models Each member's final model.
     * @param provenance The configuration of the run.
     */
    PbtResult(List<PbtSegment> segments, int winner, List<NetworkModel> models, ConfiguredObjectProvenance provenance) {
        this.segments = List.copyOf(segments);
        this.winner = winner;
        this.models = List.copyOf(models);
        this.provenance = provenance;
    }

    /**
     * Every segment, in the order they were trained (round by round, members in order).
     * @return The segments.
     */
    public List<PbtSegment> segments() {
        return segments;
    }

    /**
     * The member with the best final score.
     * @return The member number.
     */
    public int winner() {
        return winner;
    }

    /**
     * The winner's model after its last interval.
     * @return The model.
     */
    public NetworkModel model() {
        return models.get(winner);
    }

    /**
     * A member's model after its last interval.
     * @param member The member.
     * @return The model.
     */
    public NetworkModel model(int member) {
        if (member < 0 || member >= models.size()) {
            throw new IllegalArgumentException("no member " + member + " in a population of " + models.size());
        }
        return models.get(member);
    }

    /**
     * The winner's final validation score.
     * @return The score.
     */
    public double score() {
        return last(winner).score();
    }

    /**
     * The configuration of the run.
     * @return Its provenance.
     */
    public ConfiguredObjectProvenance provenance() {
        return provenance;
    }

    /**
     * The winner's hyper-parameter schedule (see {@link #schedule(int)}).
     * @return The segments its final weights went through.
     */
    public List<PbtSegment> schedule() {
        return schedule(winner);
    }

    /**
     * The segments a member's final weights went through, from fresh weights to its last interval, following each
     * segment's start back through the members it copied; {@link PopulationBasedTraining#replay} retrains it.
     * @param member The member.
     * @return The segments, first trained first.
     */
    public List<PbtSegment> schedule(int member) {
        List<PbtSegment> chain = new ArrayList<>();
        PbtSegment segment = last(member);
        while (true) {
            chain.add(segment);
            if (segment.startMember() == PbtSegment.FRESH) {
                break;
            }
            segment = find(segment.startMember(), segment.startInterval());
        }
        Collections.reverse(chain);
        return chain;
    }

    private PbtSegment last(int member) {
        PbtSegment found = null;
        for (PbtSegment s : segments) {
            if (s.member() == member) {
                found = s;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no member " + member + " in a population of " + models.size());
        }
        return found;
    }

    private PbtSegment find(int member, int interval) {
        for (PbtSegment s : segments) {
            if (s.member() == member && s.interval() == interval) {
                return s;
            }
        }
        throw new IllegalStateException("the lineage names segment " + member + "/" + interval + ", which was not trained");
    }

    @Override
    public String toString() {
        return "PbtResult(winner=" + winner + ",score=" + score() + ",segments=" + segments.size() + ")";
    }
}
