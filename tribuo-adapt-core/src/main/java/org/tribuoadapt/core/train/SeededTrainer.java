package org.tribuoadapt.core.train;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

import java.util.Collections;
import java.util.Map;

/**
 * The part every Tribuo Adapt trainer shares, in Tribuo's pattern: a configured {@code seed}, the random stream each
 * training run splits from it and the invocation count (both in {@link TrainerInvocations}), and provenance taken
 * from the {@code @Config} fields. A subclass validates its own fields in {@code postConfig()} and then calls
 * {@code super.postConfig()}, and starts every training run with {@link #startRun}, which captures the provenance
 * before the count moves on. The shorter {@code train} overloads delegate to the full one with no run provenance and
 * the next invocation count.
 *
 * @param <M> The type of model the trainer returns.
 */
public abstract class SeededTrainer<M extends Model<Label>> implements Trainer<Label> {

    /** The seed of every random choice a training run makes (initial values, splits, batch order, dropout). */
    @Config(description = "Seed for every random choice of a training run: initial values, splits, batch order, dropout.")
    protected long seed = Trainer.DEFAULT_SEED;

    private TrainerInvocations invocations;

    /** For subclasses. */
    protected SeededTrainer() {}

    /**
     * Resets the random stream from the seed, keeping the number of runs so far. Subclasses validate their own fields
     * first and then call this.
     */
    @Override
    public void postConfig() {
        invocations = new TrainerInvocations(seed, invocations == null ? 0 : invocations.count());
    }

    /**
     * Starts a training run.
     * @param invocationCount The invocation count to run at, or {@link Trainer#INCREMENT_INVOCATION_COUNT}.
     * @return The run's random stream and this trainer's provenance for it.
     */
    protected TrainerInvocations.Invocation<TrainerProvenance> startRun(int invocationCount) {
        return invocations.next(invocationCount, this::getProvenance);
    }

    @Override
    public final M train(Dataset<Label> examples) {
        return train(examples, Collections.emptyMap());
    }

    @Override
    public final M train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
        return train(examples, runProvenance, INCREMENT_INVOCATION_COUNT);
    }

    @Override
    public abstract M train(Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount);

    @Override
    public int getInvocationCount() {
        return invocations.count();
    }

    @Override
    public void setInvocationCount(int invocationCount) {
        invocations.set(invocationCount);
    }

    @Override
    public TrainerProvenance getProvenance() {
        return new TrainerProvenanceImpl(this);
    }
}
