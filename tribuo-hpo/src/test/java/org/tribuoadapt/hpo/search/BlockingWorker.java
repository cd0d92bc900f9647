package org.tribuoadapt.hpo.search;

import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.nio.file.Path;

/**
 * The worker {@link KilledWorkerTest} kills: it runs {@link KilledWorkerTest#OBJECTIVE}'s trials in a study of a
 * shared journal, and hangs inside trial {@code blockAt} until the test kills its JVM with SIGKILL.
 */
public final class BlockingWorker {

    private BlockingWorker() {}

    /**
     * Runs the worker.
     * @param args The journal file, the study name and the number of the trial to hang in.
     */
    public static void main(String[] args) {
        int blockAt = Integer.parseInt(args[2]);
        Study study = Study.load(args[1], new JournalFileStorage(Path.of(args[0])), new RandomSampler(5));
        study.optimize(Objective.of(KilledWorkerTest.SPACE, trial -> {
            while (trial.number() == blockAt) {
                Thread.sleep(1000);
            }
            return KilledWorkerTest.OBJECTIVE.evaluate(trial);
        }), 100);
    }
}
