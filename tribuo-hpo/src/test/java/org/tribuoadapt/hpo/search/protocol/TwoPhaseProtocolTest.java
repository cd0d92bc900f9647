package org.tribuoadapt.hpo.search.protocol;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Objective;
import org.tribuoadapt.hpo.search.SearchSpace;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.objective.ConfigObjective;
import org.tribuoadapt.hpo.search.sampler.GridSampler;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoPhaseProtocolTest {

    /**
     * A constant classifier whose label is searched, on class-balanced bar images ({@code i % 3} is example i's
     * class): 31 phase-1 validation examples hold 11 of c0 and 10 of c1 and c2, so phase 1 must choose c0 with
     * accuracy 11/31; the 32 phase-2 test examples hold 11 of c0, so phase 2 scores 11/32.
     */
    private static final String CONFIG = """
            <?xml version="1.0" encoding="UTF-8"?>
            <config>
                <component name="trainer" type="org.tribuo.classification.baseline.DummyClassifierTrainer">
                    <property name="dummyType" value="CONSTANT"/>
                    <property name="constantLabel" value="c2"/>
                </component>
                <component name="tune-train" type="org.tribuoadapt.hpo.search.objective.SyntheticBarsSource">
                    <property name="seed" value="1"/>
                </component>
                <component name="tune-valid" type="org.tribuoadapt.hpo.search.objective.SyntheticBarsSource">
                    <property name="examples" value="31"/>
                    <property name="seed" value="2"/>
                </component>
                <component name="eval-train" type="org.tribuoadapt.hpo.search.objective.SyntheticBarsSource">
                    <property name="seed" value="3"/>
                </component>
                <component name="eval-test" type="org.tribuoadapt.hpo.search.objective.SyntheticBarsSource">
                    <property name="examples" value="32"/>
                    <property name="seed" value="4"/>
                </component>
            </config>
            """;

    private static final List<String> LABEL_SPACE = List.of("trainer.constantLabel=categorical:c0,c1,c2");

    private static Path config(Path dir) throws IOException {
        return Files.writeString(dir.resolve("dummy.xml"), CONFIG);
    }

    private static Study gridStudy(Path dir, Direction direction, Map<String, List<String>> grid) {
        return Study.create("tune", new JournalFileStorage(dir.resolve("journal.log")), direction, new GridSampler(grid, 7));
    }

    @Test
    void freezesPhaseOnesBestAndTrainsPhaseTwoExactlyOnce(@TempDir Path dir) {
        // phase 1 peaks at x = 0.3, phase 2 at x = 0.7: the frozen 0.3 scores -(0.3 - 0.7)^2 = -0.16 there
        SearchSpace space = SearchSpace.parse(List.of("f.x=float:0:1"));
        Study study = gridStudy(dir, Direction.MAXIMIZE, Map.of("f.x", List.of("0.1", "0.3", "0.5", "0.7", "0.9")));
        List<Map<String, Object>> phaseTwoCalls = new ArrayList<>();
        TwoPhaseResult result = TwoPhaseProtocol.run(study,
                Objective.of(space, trial -> -Math.pow(((Number) trial.params().get("f.x")).doubleValue() - 0.3, 2)), 10,
                frozen -> {
                    phaseTwoCalls.add(frozen);
                    return FrozenEvaluation.Score.of(-Math.pow(((Number) frozen.get("f.x")).doubleValue() - 0.7, 2));
                });

        assertEquals(1, phaseTwoCalls.size(), "phase 2 must train exactly once");
        assertEquals(Map.of("f.x", 0.3), phaseTwoCalls.get(0));
        assertEquals(Map.of("f.x", 0.3), result.frozenValues());
        assertEquals(result.tuningBest().params(), result.frozenValues());
        assertEquals(5, result.tuningTrials(), "the grid has 5 points");
        assertEquals(5, study.trials().size(), "phase 2 adds no trial");
        assertEquals(0.0, result.tuningScore(), 1e-12);
        assertEquals(-0.16, result.evaluationScore(), 1e-12);
        // maximising: gap = tuning - evaluation
        assertEquals(0.16, result.gap(), 1e-12);
        assertEquals("tune", result.study());
        assertEquals(Direction.MAXIMIZE, result.direction());
        assertTrue(result.evaluation().modelProvenance().isEmpty());
        assertTrue(result.configuration().isEmpty());

        // the oracle, a separate diagnostic, scores every grid point in phase 2 and finds phase 2's own optimum
        phaseTwoCalls.clear();
        PhaseTwoOracle oracle = TwoPhaseProtocol.oracle(study, frozen -> {
            phaseTwoCalls.add(frozen);
            return FrozenEvaluation.Score.of(-Math.pow(((Number) frozen.get("f.x")).doubleValue() - 0.7, 2));
        });
        assertEquals(5, phaseTwoCalls.size());
        assertEquals(5, oracle.evaluated());
        assertEquals(Map.of("f.x", 0.7), oracle.values());
        assertEquals(0.0, oracle.score(), 1e-12);
    }

    @Test
    void gapOfAMinimisedMetricIsEvaluationMinusTuning(@TempDir Path dir) {
        SearchSpace space = SearchSpace.parse(List.of("f.x=float:0:1"));
        Study study = gridStudy(dir, Direction.MINIMIZE, Map.of("f.x", List.of("0.2", "0.6")));
        TwoPhaseResult result = TwoPhaseProtocol.run(study,
                Objective.of(space, trial -> ((Number) trial.params().get("f.x")).doubleValue()), 2,
                frozen -> FrozenEvaluation.Score.of(0.5));
        assertEquals(Map.of("f.x", 0.2), result.frozenValues());
        assertEquals(0.5 - 0.2, result.gap(), 1e-12);
        // a phase 2 that does better gives a negative gap
        Study better = Study.create("better", new JournalFileStorage(dir.resolve("better.log")), Direction.MINIMIZE,
                new GridSampler(Map.of("f.x", List.of("0.2", "0.6")), 7));
        assertEquals(0.1 - 0.2, TwoPhaseProtocol.run(better,
                Objective.of(space, trial -> ((Number) trial.params().get("f.x")).doubleValue()), 2,
                frozen -> FrozenEvaluation.Score.of(0.1)).gap(), 1e-12);
    }

    @Test
    void configuredProtocolRecordsBothPhases(@TempDir Path dir) throws IOException {
        Path search = Files.writeString(dir.resolve("protocol.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="protocol" type="org.tribuoadapt.hpo.search.protocol.TwoPhaseProtocol">
                        <property name="configFile" value="%s"/>
                        <property name="trainer" value="trainer"/>
                        <property name="tuningTrainingSource" value="tune-train"/>
                        <property name="tuningValidationSource" value="tune-valid"/>
                        <property name="evaluationTrainingSource" value="eval-train"/>
                        <property name="evaluationTestSource" value="eval-test"/>
                        <propertylist name="space"><item>%s</item></propertylist>
                    </component>
                </config>
                """.formatted(config(dir), LABEL_SPACE.get(0)));
        TwoPhaseProtocol protocol;
        try (ConfigurationManager cm = new ConfigurationManager(search.toString())) {
            protocol = (TwoPhaseProtocol) cm.lookup("protocol");
        }
        Study study = gridStudy(dir, protocol.tuningObjective().direction(),
                Map.of("trainer.constantLabel", List.of("c0", "c1", "c2")));
        TwoPhaseResult result = protocol.run(study, 5);

        assertEquals(3, result.tuningTrials());
        assertEquals(Map.of("trainer.constantLabel", "c0"), result.frozenValues());
        assertEquals(11.0 / 31, result.tuningScore(), 1e-12);
        assertEquals(11.0 / 32, result.evaluationScore(), 1e-12);
        assertEquals(11.0 / 31 - 11.0 / 32, result.gap(), 1e-12);
        // phase 1: the chosen trial's model was trained on the tuning source with the chosen label
        String tuned = (String) result.tuningBest().userAttributes().get(ConfigObjective.PROVENANCE_ATTRIBUTE);
        assertTrue(tuned.contains("synthetic-bars-60-3-6-1") && tuned.contains("c0"), tuned);
        // phase 2: one model, trained on the evaluation source with the frozen label
        String evaluated = result.evaluation().modelProvenance().orElseThrow();
        assertTrue(evaluated.contains("synthetic-bars-60-3-6-3") && evaluated.contains("c0"), evaluated);
        assertTrue(!evaluated.contains("synthetic-bars-60-3-6-1"), evaluated);
        // phase 2 over the three labels: c0 and c1 both hold 11 of the 32 test examples
        PhaseTwoOracle oracle = protocol.oracle(study);
        assertEquals(3, oracle.evaluated());
        assertEquals(11.0 / 32, oracle.score(), 1e-12);
        assertTrue(List.of("c0", "c1").contains(oracle.values().get("trainer.constantLabel")), oracle::toString);
        String configuration = result.configuration().orElseThrow().toString();
        for (String field : List.of("tune-train", "tune-valid", "eval-train", "eval-test", "ACCURACY", "constantLabel")) {
            assertTrue(configuration.contains(field), () -> field + " missing from " + configuration);
        }
    }

    @Test
    void rejectsASourceSharedByBothPhasesAndAnEmptySpace(@TempDir Path dir) throws IOException {
        Path config = config(dir);
        PropertyException shared = assertThrows(PropertyException.class, () -> new TwoPhaseProtocol(config, "trainer",
                "tune-train", "tune-valid", "eval-train", "tune-valid", ConfigObjective.Metric.ACCURACY, LABEL_SPACE));
        assertTrue(shared.getMessage().contains("disjoint") && shared.getMessage().contains("tune-valid"),
                shared.getMessage());
        PropertyException empty = assertThrows(PropertyException.class, () -> new TwoPhaseProtocol(config, "trainer",
                "tune-train", "tune-valid", "eval-train", "eval-test", ConfigObjective.Metric.ACCURACY, List.of()));
        assertTrue(empty.getMessage().contains("search space is empty"), empty.getMessage());
        PropertyException missing = assertThrows(PropertyException.class, () -> new TwoPhaseProtocol(config, "trainer",
                "tune-train", "tune-valid", "eval-train", "test", ConfigObjective.Metric.ACCURACY, LABEL_SPACE));
        assertTrue(missing.getMessage().contains("no component named 'test'"), missing.getMessage());
    }

    @Test
    void rejectsAStudyThatIsNotEmptyOrRunsTheWrongWay(@TempDir Path dir) throws IOException {
        TwoPhaseProtocol protocol = new TwoPhaseProtocol(config(dir), "trainer", "tune-train", "tune-valid",
                "eval-train", "eval-test", ConfigObjective.Metric.BALANCED_ERROR_RATE, LABEL_SPACE);
        Study maximising = Study.create("max", new JournalFileStorage(dir.resolve("max.log")), Direction.MAXIMIZE,
                new RandomSampler(1));
        IllegalArgumentException direction = assertThrows(IllegalArgumentException.class, () -> protocol.run(maximising, 1));
        assertTrue(direction.getMessage().contains("BALANCED_ERROR_RATE"), direction.getMessage());

        Study used = Study.create("used", new JournalFileStorage(dir.resolve("used.log")), Direction.MINIMIZE,
                new RandomSampler(1));
        used.optimize(protocol.tuningObjective(), 1);
        IllegalArgumentException notEmpty = assertThrows(IllegalArgumentException.class, () -> protocol.run(used, 1));
        assertTrue(notEmpty.getMessage().contains("already has 1 trials"), notEmpty.getMessage());
    }

    @Test
    void noCompleteTrialOrANonFinitePhaseTwoScoreIsAnError(@TempDir Path dir) {
        SearchSpace space = SearchSpace.parse(List.of("f.x=float:0:1"));
        List<Map<String, Object>> phaseTwoCalls = new ArrayList<>();
        Study failing = Study.create("failing", new JournalFileStorage(dir.resolve("failing.log")), Direction.MAXIMIZE,
                new RandomSampler(1));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> TwoPhaseProtocol.run(failing,
                Objective.of(space, trial -> Double.NaN), 3, frozen -> {
                    phaseTwoCalls.add(frozen);
                    return FrozenEvaluation.Score.of(1);
                }));
        assertTrue(none.getMessage().contains("none of the 3 trials"), none.getMessage());
        assertTrue(phaseTwoCalls.isEmpty());

        Study study = Study.create("nan", new JournalFileStorage(dir.resolve("nan.log")), Direction.MAXIMIZE,
                new RandomSampler(1));
        IllegalStateException nan = assertThrows(IllegalStateException.class, () -> TwoPhaseProtocol.run(study,
                Objective.of(space, trial -> 1.0), 2, frozen -> FrozenEvaluation.Score.of(Double.NaN)));
        assertTrue(nan.getMessage().contains("phase 2 scored NaN"), nan.getMessage());
    }
}
