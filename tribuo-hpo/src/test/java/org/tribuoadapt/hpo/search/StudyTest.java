package org.tribuoadapt.hpo.search;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.pruner.HyperbandPruner;
import org.tribuoadapt.hpo.search.pruner.MedianPruner;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StudyTest {

    private static final SearchSpace SPACE = SearchSpace.parse(List.of("f.x=float:-1:1"));

    /** x^2, except that trial 1 throws and trial 2 returns NaN. */
    private static final Objective FLAKY = Objective.of(SPACE, trial -> {
        double x = (Double) trial.params().get("f.x");
        if (trial.number() == 1) {
            throw new IllegalStateException("diverged at lr " + x);
        }
        return trial.number() == 2 ? Double.NaN : x * x;
    });

    @Test
    void failingTrialsDoNotStopTheStudy(@TempDir Path dir) {
        Study study = Study.create("flaky", new JournalFileStorage(dir.resolve("j.log")), Direction.MINIMIZE, new RandomSampler(1));
        study.optimize(FLAKY, 5);
        List<Trial> trials = study.trials();
        assertEquals(List.of(TrialState.COMPLETE, TrialState.FAIL, TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE),
                trials.stream().map(Trial::state).toList());
        assertNull(trials.get(1).value());
        assertNull(trials.get(2).value());
        Trial best = trials.stream().filter(t -> t.state() == TrialState.COMPLETE)
                .min((a, b) -> Double.compare(a.value(), b.value())).orElseThrow();
        assertEquals(best, study.bestTrial());
        assertTrue(trials.stream().allMatch(t -> t.start() != null && t.complete() != null));
    }

    @Test
    void prunedTrialsKeepTheirLastIntermediateValue(@TempDir Path dir) {
        Study study = Study.create("pruned", new JournalFileStorage(dir.resolve("j.log")), Direction.MINIMIZE,
                new RandomSampler(1), new ScriptedPruner(Set.of(1, 2), 2));
        List<Integer> stepsRun = new ArrayList<>();
        study.optimize(Objective.of(SPACE, trial -> {
            for (int step = 0; step < 5; step++) {
                stepsRun.add(trial.number());
                trial.report(step, trial.number() == 2 && step == 2 ? Double.NaN : 10.0 - step);
                trial.report(step, -1.0); // a step reported twice keeps its first value
                if (trial.shouldPrune()) {
                    throw new TrialPruned("step " + step);
                }
            }
            return 0.5;
        }), 3);
        List<Trial> trials = study.trials();
        assertEquals(List.of(TrialState.COMPLETE, TrialState.PRUNED, TrialState.PRUNED),
                trials.stream().map(Trial::state).toList());
        assertEquals(Map.of(0, 10.0, 1, 9.0, 2, 8.0, 3, 7.0, 4, 6.0), trials.get(0).intermediateValues());
        assertEquals(0.5, trials.get(0).value());
        // pruned at the first step the pruner allowed: three steps run, the last value is the trial's value
        assertEquals(Map.of(0, 10.0, 1, 9.0, 2, 8.0), trials.get(1).intermediateValues());
        assertEquals(8.0, trials.get(1).value());
        // as in Optuna, a NaN last value leaves the pruned trial without a value
        assertTrue(Double.isNaN(trials.get(2).intermediateValues().get(2)));
        assertNull(trials.get(2).value());
        assertEquals(5 + 3 + 3, stepsRun.size());
        assertEquals(trials.get(0), study.bestTrial());
        study.optimize(Objective.of(SPACE, trial -> {
            trial.report(-1, 0.0);
            return 0.0;
        }), 1);
        Trial negative = study.trials().get(3);
        assertEquals(TrialState.FAIL, negative.state());
        assertTrue(String.valueOf(negative.systemAttributes().get(Study.FAIL_REASON)).contains("must be >= 0, found -1"),
                negative::toString);
    }

    @Test
    void loadingAStudyRebuildsItsRecordedPruner(@TempDir Path dir) {
        JournalFileStorage storage = new JournalFileStorage(dir.resolve("j.log"));
        Study.create("median", storage, Direction.MINIMIZE, new RandomSampler(1), new MedianPruner(3, 1, 2, 1));
        Study.create("plain", storage, Direction.MINIMIZE, new RandomSampler(1));
        JournalFileStorage other = new JournalFileStorage(dir.resolve("j.log"));
        Pruner median = Study.load("median", other, new RandomSampler(1)).pruner();
        assertEquals("MedianPruner(nStartupTrials=3, nWarmupSteps=1, intervalSteps=2, nMinTrials=1)", median.toString());
        assertTrue(Study.load("plain", other, new RandomSampler(1)).pruner() instanceof NopPruner);
        assertEquals(new HyperbandPruner().toString(),
                Study.load("median", other, new RandomSampler(1), new HyperbandPruner()).pruner().toString());
        String recorded = (String) other.studyUserAttributes(other.findStudy("median").orElseThrow().id())
                .get(Study.PRUNER_ATTRIBUTE);
        assertTrue(recorded.contains("nStartupTrials") && recorded.contains(MedianPruner.class.getName()), recorded);
    }

    @Test
    void bestTrialFollowsTheDirectionAndNeedsACompleteTrial(@TempDir Path dir) {
        JournalFileStorage storage = new JournalFileStorage(dir.resolve("j.log"));
        Study max = Study.create("max", storage, Direction.MAXIMIZE, new RandomSampler(1));
        IllegalStateException none = assertThrows(IllegalStateException.class, max::bestTrial);
        assertTrue(none.getMessage().contains("'max' has no complete trial"), none.getMessage());
        max.optimize(FLAKY, 6);
        double largest = max.trials().stream().filter(t -> t.value() != null).mapToDouble(Trial::value).max().orElseThrow();
        assertEquals(largest, max.bestTrial().value());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> Study.create("max", storage, Direction.MAXIMIZE, new RandomSampler(1)));
        assertTrue(taken.getMessage().contains("'max' already exists"), taken.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Study.load("min", storage, new RandomSampler(1)));
        assertTrue(missing.getMessage().contains("no study named 'min'"), missing.getMessage());
    }
}
