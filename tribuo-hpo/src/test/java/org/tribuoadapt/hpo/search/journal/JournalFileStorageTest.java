package org.tribuoadapt.hpo.search.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.FloatDistribution;
import org.tribuoadapt.hpo.search.StudyStorage;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalFileStorageTest {

    private static final FloatDistribution X = new FloatDistribution(0, 1, false, null);

    @Test
    void workersSharingAFileSeeEachOthersTrials(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("shared.log");
        int studyId = new JournalFileStorage(journal).createStudy("shared", Direction.MINIMIZE).id();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<?>> jobs = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int worker = w;
            jobs.add(pool.submit(() -> {
                JournalFileStorage storage = new JournalFileStorage(journal);
                for (int i = 0; i < 10; i++) {
                    StudyStorage.TrialRef ref = storage.createTrial(studyId);
                    storage.setParam(ref.id(), "f.x", worker / 10.0, X);
                    storage.setUserAttribute(ref.id(), "worker", worker);
                    storage.finishTrial(ref.id(), TrialState.COMPLETE, (double) worker);
                }
                return null;
            }));
        }
        for (Future<?> job : jobs) {
            job.get();
        }
        pool.shutdown();
        List<Trial> trials = new JournalFileStorage(journal).trials(studyId);
        assertEquals(30, trials.size());
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            assertEquals(i, t.number());
            assertEquals(TrialState.COMPLETE, t.state());
            int worker = ((Number) t.userAttributes().get("worker")).intValue();
            assertEquals(worker, t.value());
            assertEquals(Map.of("f.x", worker / 10.0), t.params());
        }
        assertFalse(Files.exists(Path.of(journal + ".lock")));
    }

    @Test
    void aLockLeftByADeadWorkerIsBroken(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("j.log");
        JournalFileStorage storage = new JournalFileStorage(journal);
        Path lock = Path.of(journal.toAbsolutePath() + ".lock");
        Files.createSymbolicLink(lock, journal.toAbsolutePath());
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - JournalFileLock.STALE_MILLIS - 60_000);
        Files.getFileAttributeView(lock, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(old, old, old);
        assertEquals("s", storage.createStudy("s", Direction.MINIMIZE).name());
        assertFalse(Files.exists(lock, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void finishedTrialsCannotChangeAndBadLinesAreNamed(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("j.log");
        JournalFileStorage storage = new JournalFileStorage(journal);
        int study = storage.createStudy("s", Direction.MINIMIZE).id();
        StudyStorage.TrialRef ref = storage.createTrial(study);
        storage.finishTrial(ref.id(), TrialState.COMPLETE, 1.0);
        IllegalStateException finished = assertThrows(IllegalStateException.class, () -> storage.setIntermediateValue(ref.id(), 0, 1));
        assertTrue(finished.getMessage().contains("trial 0 has already finished (COMPLETE)"), finished.getMessage());

        // a line still being written (no newline yet) waits; a complete bad line is an error naming it
        Files.write(journal, "{\"op_code\": 4, \"worker_id\": \"w\", \"study_id\"".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        assertEquals(1, new JournalFileStorage(journal).trials(study).size());
        Files.write(journal, "\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> new JournalFileStorage(journal).trials(study));
        assertTrue(bad.getMessage().contains("line 4 of the journal"), bad.getMessage());
    }
}
