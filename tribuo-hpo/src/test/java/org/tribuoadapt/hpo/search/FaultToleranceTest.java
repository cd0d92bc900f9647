package org.tribuoadapt.hpo.search;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultToleranceTest {

    private static final SearchSpace SPACE = SearchSpace.parse(List.of("f.x=float:-1:1", "f.k=categorical:a,b,c"));

    private static final Objective SQUARE = Objective.of(SPACE, trial -> {
        double x = (Double) trial.params().get("f.x");
        return x * x;
    });

    // a heartbeat recorded long ago, as a worker killed a minute ago left it
    private static final String OLD = Instant.now().minusSeconds(60).toString();

    private static int studyId(StudyStorage storage, String name) {
        return storage.findStudy(name).orElseThrow().id();
    }

    // a trial as a worker left it: RUNNING with parameters and the given system attributes
    private static StudyStorage.TrialRef running(StudyStorage storage, String study, Map<String, Object> attributes,
                                                 double x, String k) {
        StudyStorage.TrialRef ref = storage.createTrial(studyId(storage, study), trials -> Optional.of(attributes)).orElseThrow();
        Distribution xd = SPACE.distributions().get("f.x");
        Distribution kd = SPACE.distributions().get("f.k");
        storage.setParam(ref.id(), "f.x", x, xd);
        storage.setParam(ref.id(), "f.k", kd.toInternal(k), kd);
        return ref;
    }

    @Test
    void staleTrialIsFailedAndItsRetryRunsWithTheSameParams(@TempDir Path dir) {
        JournalFileStorage storage = new JournalFileStorage(dir.resolve("j.log"));
        Study study = Study.create("s", storage, List.of(Direction.MINIMIZE), new RandomSampler(1), new NopPruner(),
                FaultPolicy.ofSeconds(1, 5, 2));
        StudyStorage.TrialRef stale = running(storage, "s", Map.of(Study.HEARTBEAT, OLD, "grid_id", 7), 0.25, "b");
        storage.setUserAttribute(stale.id(), "note", "kept");
        StudyStorage.TrialRef finished = running(storage, "s", Map.of(Study.HEARTBEAT, OLD), 0.5, "a");
        storage.finishTrial(finished.id(), TrialState.COMPLETE, 0.25);
        running(storage, "s", Map.of(Study.HEARTBEAT, Instant.now().toString()), -0.5, "c");
        running(storage, "s", Map.of(), 0.75, "c");
        Trial finishedBefore = study.trials().get(1);

        List<Map<String, Object>> seen = new ArrayList<>();
        study.optimize(Objective.of(SPACE, trial -> {
            seen.add(trial.params());
            return SQUARE.evaluate(trial);
        }), 1);

        List<Trial> trials = study.trials();
        assertEquals(List.of(TrialState.FAIL, TrialState.COMPLETE, TrialState.RUNNING, TrialState.RUNNING, TrialState.COMPLETE),
                trials.stream().map(Trial::state).toList());
        assertTrue(String.valueOf(trials.get(0).systemAttributes().get(Study.FAIL_REASON)).contains("heartbeat is stale"));
        // a finished trial and trials with a fresh heartbeat or none are never touched
        assertEquals(finishedBefore, trials.get(1));
        Trial retry = trials.get(4);
        assertEquals(List.of(Map.of("f.x", 0.25, "f.k", "b")), seen);
        assertEquals(Map.of("f.x", 0.25, "f.k", "b"), retry.params());
        assertEquals(trials.get(0).distributions(), retry.distributions());
        assertEquals(0.0625, retry.value());
        assertEquals(Map.of("note", "kept"), retry.userAttributes());
        assertEquals(0, retry.systemAttributes().get(Study.FAILED_TRIAL));
        assertEquals(List.of(0), retry.systemAttributes().get(Study.RETRY_HISTORY));
        assertEquals(7, retry.systemAttributes().get("grid_id"));
        assertNotEquals(OLD, retry.systemAttributes().get(Study.HEARTBEAT));
        assertTrue(!retry.systemAttributes().containsKey(Study.FAIL_REASON));
    }

    @Test
    void maxRetryIsRespected(@TempDir Path dir) {
        JournalFileStorage storage = new JournalFileStorage(dir.resolve("j.log"));
        Study study = Study.create("s", storage, List.of(Direction.MINIMIZE), new RandomSampler(1), new NopPruner(),
                FaultPolicy.ofSeconds(1, 5, 1));
        running(storage, "s", Map.of(Study.HEARTBEAT, OLD), 0.1, "a");
        assertEquals(List.of(0), study.failStaleTrials());
        assertEquals(TrialState.WAITING, study.trials().get(1).state());
        // the retry starts and its worker dies too: the series has used its one retry
        storage.locked(studyId(storage, "s"), locked -> locked.startWaitingTrial(1, Map.of(Study.HEARTBEAT, OLD)));
        assertEquals(List.of(1), study.failStaleTrials());
        assertEquals(List.of(TrialState.FAIL, TrialState.FAIL), study.trials().stream().map(Trial::state).toList());
        assertEquals(List.of(), study.failStaleTrials());

        Study noRetry = Study.create("t", storage, List.of(Direction.MINIMIZE), new RandomSampler(1), new NopPruner(),
                FaultPolicy.ofSeconds(1, 5, 0));
        running(storage, "t", Map.of(Study.HEARTBEAT, OLD), 0.1, "a");
        assertEquals(List.of(0), noRetry.failStaleTrials());
        assertEquals(1, noRetry.trials().size());
        // without a heartbeat in the policy, nothing is stale
        running(storage, "t", Map.of(Study.HEARTBEAT, OLD), 0.1, "a");
        assertEquals(List.of(), noRetry.withFaultPolicy(FaultPolicy.NONE).failStaleTrials());
    }

    @Test
    void policyIsRecordedAndChecked(@TempDir Path dir) {
        JournalFileStorage storage = new JournalFileStorage(dir.resolve("j.log"));
        FaultPolicy policy = FaultPolicy.ofSeconds(0.5, 0, 3);
        assertEquals(Duration.ofSeconds(1), policy.gracePeriod());
        Study.create("s", storage, List.of(Direction.MINIMIZE), new RandomSampler(1), new NopPruner(), policy);
        assertEquals(Map.of("heartbeat_interval", 0.5, "grace_period", 1.0, "max_retry", 3),
                storage.studyUserAttributes(studyId(storage, "s")).get(Study.FAULT_POLICY_ATTRIBUTE));
        assertEquals(policy, Study.load("s", new JournalFileStorage(dir.resolve("j.log")), new RandomSampler(2)).faultPolicy());
        Study.create("plain", storage, Direction.MINIMIZE, new RandomSampler(1));
        assertEquals(FaultPolicy.NONE, Study.load("plain", storage, new RandomSampler(2)).faultPolicy());
        assertThrows(IllegalArgumentException.class, () -> FaultPolicy.ofSeconds(2, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> FaultPolicy.ofSeconds(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> FaultPolicy.ofSeconds(Double.NaN, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> FaultPolicy.ofSeconds(1, 3, -1));
        assertThrows(IllegalArgumentException.class, () -> new FaultPolicy(null, null, 2));
    }

    @Test
    void heartbeatIsRecordedWhileTheTrialRunsAndStopsWithIt(@TempDir Path dir) throws IOException, InterruptedException {
        Path journal = dir.resolve("j.log");
        JournalFileStorage storage = new JournalFileStorage(journal);
        Study study = Study.create("s", storage, List.of(Direction.MINIMIZE), new RandomSampler(1), new NopPruner(),
                FaultPolicy.ofSeconds(0.02, 10, 0));
        List<String> beats = Collections.synchronizedList(new ArrayList<>());
        study.optimize(Objective.of(SPACE, trial -> {
            String first = (String) study.trials().get(trial.number()).systemAttributes().get(Study.HEARTBEAT);
            beats.add(first);
            String last = first;
            while (last.equals(first)) {
                Thread.sleep(10);
                last = (String) study.trials().get(trial.number()).systemAttributes().get(Study.HEARTBEAT);
            }
            beats.add(last);
            if (trial.number() == 1) {
                throw new IllegalStateException("the heartbeat must stop on exceptions too");
            }
            return 1.0;
        }), 2);
        assertEquals(List.of(TrialState.COMPLETE, TrialState.FAIL), study.trials().stream().map(Trial::state).toList());
        assertTrue(Instant.parse(beats.get(1)).isAfter(Instant.parse(beats.get(0))));
        long lines = Files.lines(journal).count();
        Thread.sleep(100);
        assertEquals(lines, Files.lines(journal).count(), "no heartbeat is written once the trials have ended");
    }

    @Test
    void enqueuedTrialsRunWithTheirFixedValues(@TempDir Path dir) {
        JournalFileStorage storage = new JournalFileStorage(dir.resolve("j.log"));
        Study study = Study.create("s", storage, Direction.MINIMIZE, new RandomSampler(1));
        study.enqueueTrial(Map.of("f.x", 0.5));
        study.enqueueTrial(Map.of("f.x", 5.0, "f.k", "c"));
        study.enqueueTrial(Map.of("f.x", -0.25, "f.k", "c"));
        assertEquals(List.of(TrialState.WAITING, TrialState.WAITING, TrialState.WAITING),
                study.trials().stream().map(Trial::state).toList());
        study.optimize(SQUARE, 4);
        List<Trial> trials = study.trials();
        assertEquals(List.of(TrialState.COMPLETE, TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE),
                trials.stream().map(Trial::state).toList());
        assertEquals(0.5, trials.get(0).params().get("f.x"));
        assertTrue(trials.get(0).params().containsKey("f.k"), "the value not enqueued is sampled");
        assertTrue(String.valueOf(trials.get(1).systemAttributes().get(Study.FAIL_REASON)).contains("f.x"));
        assertEquals(Map.of("f.x", -0.25, "f.k", "c"), trials.get(2).params());
        assertEquals(Map.of("f.x", -0.25, "f.k", "c"), trials.get(2).systemAttributes().get(Study.FIXED_PARAMS));
    }

    @Test
    void twoWorkersNeverStartTheSameWaitingTrial(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("j.log");
        Study first = Study.create("s", new JournalFileStorage(journal), Direction.MINIMIZE, new RandomSampler(1));
        Study second = Study.load("s", new JournalFileStorage(journal), new RandomSampler(2));
        List<Double> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queued.add(i / 20.0);
            first.enqueueTrial(Map.of("f.x", i / 20.0, "f.k", "a"));
        }
        List<Double> run = Collections.synchronizedList(new ArrayList<>());
        Objective recording = Objective.of(SPACE, trial -> {
            run.add((Double) trial.params().get("f.x"));
            return 0.0;
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> first.optimize(recording, 10));
            Future<?> b = pool.submit(() -> second.optimize(recording, 10));
            a.get();
            b.get();
        } finally {
            pool.shutdown();
        }
        List<Trial> trials = first.trials();
        assertEquals(20, trials.size());
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
        assertEquals(queued, run.stream().sorted().toList());
        assertEquals(queued, trials.stream().map(t -> (Double) t.params().get("f.x")).toList());
    }

    // Optuna opens a journal with stale, retried and enqueued trials, and its enqueue_trial is run by Java
    private static final String OPTUNA = """
            import json, sys, optuna
            optuna.logging.set_verbosity(optuna.logging.ERROR)
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
            study = optuna.load_study(study_name="s", storage=storage)
            trials = [{"state": t.state.name, "params": t.params, "failed_trial": t.system_attrs.get("failed_trial"),
                       "retry_history": t.system_attrs.get("retry_history"),
                       "fail_reason": t.system_attrs.get("fail_reason"),
                       "retried": optuna.storages.RetryFailedTrialCallback.retried_trial_number(t)} for t in study.trials]
            study.enqueue_trial({"f.x": 0.125, "f.k": "c"})
            print(json.dumps({"trials": trials, "user_attrs": study.user_attrs}))
            """;

    @Test
    void optunaReadsStaleAndRetriedTrialsAndJavaRunsOptunasQueue(@TempDir Path dir) throws Exception {
        OptunaPython.assumeAvailable();
        Path journal = dir.resolve("j.log");
        JournalFileStorage storage = new JournalFileStorage(journal);
        Study study = Study.create("s", storage, List.of(Direction.MINIMIZE), new RandomSampler(1), new NopPruner(),
                FaultPolicy.ofSeconds(0.05, 5, 1));
        running(storage, "s", Map.of(Study.HEARTBEAT, OLD), 0.25, "b");
        study.failStaleTrials();
        study.enqueueTrial(Map.of("f.x", -0.5));
        study.optimize(SQUARE, 1);

        JsonNode python = OptunaPython.run(OPTUNA, journal.toString());
        JsonNode trials = python.path("trials");
        assertEquals(3, trials.size());
        assertEquals("FAIL", trials.get(0).path("state").asText());
        assertTrue(trials.get(0).path("fail_reason").asText().contains("stale"));
        assertEquals("COMPLETE", trials.get(1).path("state").asText());
        assertEquals(0.25, trials.get(1).path("params").path("f.x").asDouble());
        assertEquals("b", trials.get(1).path("params").path("f.k").asText());
        assertEquals(0, trials.get(1).path("retried").asInt());
        assertEquals("[0]", trials.get(1).path("retry_history").toString());
        assertEquals("WAITING", trials.get(2).path("state").asText());
        assertEquals(1, python.path("user_attrs").path(Study.FAULT_POLICY_ATTRIBUTE).path("max_retry").asInt());

        // Java runs the WAITING trial Java enqueued, then the one Optuna enqueued
        study.optimize(SQUARE, 2);
        List<Trial> after = study.trials();
        assertEquals(4, after.size());
        assertEquals(-0.5, after.get(2).params().get("f.x"));
        assertEquals(Map.of("f.x", 0.125, "f.k", "c"), after.get(3).params());
        assertTrue(after.stream().skip(1).allMatch(t -> t.state() == TrialState.COMPLETE));
    }
}
