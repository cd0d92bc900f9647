package org.tribuoadapt.hpo.search;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker JVM killed with SIGKILL in the middle of a trial: the journal stays readable by Java and Optuna, its
 * finished trials stay as they were, and another worker fails the stale trial, retries it and finishes the study.
 */
class KilledWorkerTest {

    /** The searched space. */
    static final SearchSpace SPACE = SearchSpace.parse(List.of("f.x=float:-1:1", "f.k=categorical:a,b"));

    /** The objective of both workers. */
    static final Objective OBJECTIVE = Objective.of(SPACE, trial -> {
        double x = (Double) trial.params().get("f.x");
        return x * x + ("a".equals(trial.params().get("f.k")) ? 0 : 1);
    });

    private static final String OPTUNA = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            study = optuna.load_study(study_name="killed", storage=storage)
            print(json.dumps([{"state": t.state.name, "value": t.value, "params": t.params,
                               "retried": optuna.storages.RetryFailedTrialCallback.retried_trial_number(t)}
                              for t in study.trials]))
            """;

    @Test
    void aKilledWorkersTrialIsFailedAndRetried(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("killed.log");
        Study.create("killed", new JournalFileStorage(journal), List.of(Direction.MINIMIZE), new RandomSampler(1),
                new NopPruner(), FaultPolicy.ofSeconds(0.5, 1.5, 1));
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BlockingWorker.class.getName(), journal.toString(), "killed", "3")
                .redirectErrorStream(true).redirectOutput(dir.resolve("worker.out").toFile()).start();
        Study watcher = Study.load("killed", new JournalFileStorage(journal), new RandomSampler(2));
        List<Trial> before;
        try {
            // wait until the worker is inside trial 3, with its parameters written and at least one heartbeat beyond the first
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Object firstBeat = null;
            while (true) {
                assertTrue(worker.isAlive(), "the worker died by itself; see " + dir.resolve("worker.out"));
                assertTrue(System.nanoTime() < deadline, "the worker did not reach trial 3");
                Thread.sleep(50);
                before = watcher.trials();
                if (before.size() < 4 || before.get(3).params().size() < 2) {
                    continue;
                }
                Object beat = before.get(3).systemAttributes().get(Study.HEARTBEAT);
                if (firstBeat == null) {
                    firstBeat = beat;
                } else if (!firstBeat.equals(beat)) {
                    // kill between two heartbeats, while the worker does not hold the journal's lock
                    Thread.sleep(200);
                    break;
                }
            }
        } finally {
            worker.destroyForcibly();
            assertTrue(worker.waitFor(30, TimeUnit.SECONDS));
        }
        before = watcher.trials();
        assertEquals(List.of(TrialState.COMPLETE, TrialState.COMPLETE, TrialState.COMPLETE, TrialState.RUNNING),
                before.stream().map(Trial::state).toList());

        // a second worker: the stale trial fails once its heartbeat is older than the grace period
        Study second = Study.load("killed", new JournalFileStorage(journal), new RandomSampler(3));
        assertEquals(FaultPolicy.ofSeconds(0.5, 1.5, 1), second.faultPolicy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<Integer> failed;
        do {
            assertTrue(System.nanoTime() < deadline, "trial 3 never went stale");
            Thread.sleep(100);
            failed = second.failStaleTrials();
        } while (failed.isEmpty());
        assertEquals(List.of(3), failed);
        second.optimize(OBJECTIVE, 3);

        List<Trial> after = new JournalFileStorage(journal).trials(0);
        assertEquals(7, after.size());
        assertEquals(before.subList(0, 3), after.subList(0, 3), "the trials finished before the kill are intact");
        assertEquals(TrialState.FAIL, after.get(3).state());
        assertEquals(before.get(3).params(), after.get(3).params());
        Trial retry = after.get(4);
        assertEquals(TrialState.COMPLETE, retry.state());
        assertEquals(before.get(3).params(), retry.params());
        assertEquals(3, retry.systemAttributes().get(Study.FAILED_TRIAL));
        assertTrue(after.stream().skip(5).allMatch(t -> t.state() == TrialState.COMPLETE));

        OptunaPython.assumeAvailable();
        JsonNode python = OptunaPython.run(OPTUNA, journal.toString());
        assertEquals(7, python.size());
        for (Trial t : after) {
            JsonNode p = python.get(t.number());
            assertEquals(t.state().name(), p.path("state").asText());
            assertEquals(t.params().get("f.x"), p.path("params").path("f.x").asDouble());
            assertEquals(t.params().get("f.k"), p.path("params").path("f.k").asText());
            if (t.state() == TrialState.COMPLETE) {
                assertEquals(t.value(), p.path("value").asDouble());
            }
        }
        assertEquals(3, python.get(4).path("retried").asInt());
    }
}
