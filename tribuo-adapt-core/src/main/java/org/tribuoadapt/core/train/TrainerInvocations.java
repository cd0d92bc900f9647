package org.tribuoadapt.core.train;

import org.tribuo.Trainer;

import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The random state every Tribuo trainer keeps, in one place: a {@link SplittableRandom} seeded with the trainer's
 * seed, from which each training run splits its own stream, and the number of runs so far. As in Tribuo's SGD
 * trainers, the n-th run of a trainer draws the n-th split, so setting the invocation count (as reproduction does)
 * replays a run exactly; reconfiguring a trainer keeps its count.
 */
public final class TrainerInvocations {

    private final long seed;
    private SplittableRandom rng;
    private int count;

    /**
     * Creates the state of a trainer that has already run {@code count} times.
     * @param seed The trainer's seed.
     * @param count The number of runs so far.
     */
    public TrainerInvocations(long seed, int count) {
        this.seed = seed;
        set(count);
    }

    /**
     * The number of runs so far.
     * @return The invocation count.
     */
    public synchronized int count() {
        return count;
    }

    /**
     * Rewinds or advances the state to what it is after {@code count} runs.
     * @param count The invocation count.
     * @throws IllegalArgumentException if the count is negative.
     */
    public synchronized void set(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("The supplied invocationCount is less than zero.");
        }
        rng = new SplittableRandom(seed);
        for (this.count = 0; this.count < count; this.count++) {
            rng.split();
        }
    }

    /**
     * Starts a run: optionally sets the count first, splits the run's random stream, captures the trainer's
     * provenance (which records the count before this run), then counts the run.
     * @param requestedCount The count to run at, or {@link Trainer#INCREMENT_INVOCATION_COUNT} for the next one.
     * @param provenance Captures the trainer's provenance.
     * @param <P> The provenance type.
     * @return The run's random stream and provenance.
     */
    public synchronized <P> Invocation<P> next(int requestedCount, Supplier<P> provenance) {
        if (requestedCount != Trainer.INCREMENT_INVOCATION_COUNT) {
            set(requestedCount);
        }
        SplittableRandom local = rng.split();
        P captured = provenance.get();
        count++;
        return new Invocation<>(local, captured);
    }

    /**
     * One training run's random stream and the trainer provenance captured for it.
     * @param rng The run's random stream.
     * @param provenance The trainer's provenance at the start of the run.
     * @param <P> The provenance type.
     */
    public record Invocation<P>(SplittableRandom rng, P provenance) {
    }
}
