package org.tribuoadapt.tta.selection;

import org.junit.jupiter.api.Test;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.tta.evaluation.TtaEvaluation;
import org.tribuoadapt.tta.evaluation.TtaEvaluator;
import org.tribuoadapt.tta.method.source.SourceOnly;
import org.tribuoadapt.tta.method.tent.Tent;
import org.tribuoadapt.tta.scenario.CorruptionScenario;
import org.tribuoadapt.tta.scenario.StreamMode;
import org.tribuoadapt.tta.testing.TtaFixtures;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class HyperparameterSelectionTest {

    private static final double[] LEARNING_RATES = {1e-4, 1e-2, 1e-1};

    private static List<HyperparameterSelection.Candidate> tentGrid() {
        List<HyperparameterSelection.Candidate> grid = new ArrayList<>();
        for (double lr : LEARNING_RATES) {
            grid.add(new HyperparameterSelection.Candidate("lr=" + lr,
                    new Tent(new AdamOptimiserFactory(lr), 1, List.of(), false)));
        }
        return grid;
    }

    private static SelectionResult run() {
        CorruptionScenario scenario = new CorruptionScenario(List.of("gaussian_noise", "fog"), List.of(5),
                TtaFixtures.SIZE, TtaFixtures.SIZE, StreamMode.CONTINUAL, 16, 0.0, 0, TestSeeds.of(4));
        MutableDataset<Label> validation = SyntheticImages.dataset(30, TtaFixtures.CLASSES, TtaFixtures.SIZE,
                TestSeeds.of(11));
        return new HyperparameterSelection(new TtaEvaluator(scenario, 0, 0)).select(TtaFixtures.cnn(),
                TtaFixtures.test(48), null, validation, tentGrid());
    }

    @Test
    public void theOracleIsNeverBeatenAndEveryScorerHasOneRow() {
        SelectionResult result = run();
        List<String> names = HyperparameterSelection.defaultScorers().stream().map(SelectionScorer::name).toList();
        assertEquals(names, result.rows().stream().map(SelectionRow::scorer).toList());
        assertEquals(SourceOnly.NAME, result.source().method());
        assertEquals(LEARNING_RATES.length, result.evaluations().size());
        double best = result.evaluations().stream().mapToDouble(TtaEvaluation::accuracy).max().orElseThrow();
        assertEquals(best, result.evaluations().get(result.oracleIndex()).accuracy(), 0.0);
        for (SelectionRow row : result.rows()) {
            assertEquals(best, row.oracleAccuracy(), 0.0);
            assertTrue(row.chosenAccuracy() <= row.oracleAccuracy(), row.toString());
            assertTrue(row.regret() >= 0, row.toString());
            double[] scores = result.scores(row.scorer());
            assertEquals(LEARNING_RATES.length, scores.length);
            int chosen = result.settings().indexOf(row.chosenSetting());
            for (double score : scores) {
                assertTrue(score <= scores[chosen], row.scorer() + " chose " + row.chosenSetting()
                        + " but another configuration scored higher");
            }
            assertEquals(result.evaluations().get(chosen).accuracy(), row.chosenAccuracy(), 0.0);
        }
        // provenance: each configuration's learning rate is in its evaluation's provenance
        for (int c = 0; c < LEARNING_RATES.length; c++) {
            String provenance = result.evaluations().get(c).getProvenance().toString();
            assertTrue(provenance.contains(Double.toString(LEARNING_RATES[c])), provenance);
        }
        assertEquals(names.size(), result.scorerProvenances().size());
        assertEquals(HyperparameterSelection.DEFAULT_FEATURE_LAYER, result.featureLayer());
    }

    @Test
    public void theSameSeedGivesTheSameTable() {
        SelectionResult first = run();
        SelectionResult second = run();
        assertEquals(first.rows(), second.rows());
        for (SelectionRow row : first.rows()) {
            assertArrayEquals(first.scores(row.scorer()), second.scores(row.scorer()), 0.0);
        }
    }

    @Test
    public void badGridsAreRefused() {
        CorruptionScenario scenario = new CorruptionScenario(List.of("fog"), List.of(5), TtaFixtures.SIZE,
                TtaFixtures.SIZE, StreamMode.RESET, 16, 0.0, 0, TestSeeds.of(4));
        HyperparameterSelection selection = new HyperparameterSelection(new TtaEvaluator(scenario, 0, 0));
        MutableDataset<Label> validation = SyntheticImages.dataset(10, TtaFixtures.CLASSES, TtaFixtures.SIZE,
                TestSeeds.of(11));
        NetworkModel model = TtaFixtures.cnn();
        MutableDataset<Label> test = TtaFixtures.test(16);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> selection.select(model, test, null, validation, List.of()));
        assertTrue(empty.getMessage().contains("no configuration"), empty.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> selection.select(model, test, null, validation, List.of(
                        new HyperparameterSelection.Candidate("lr", Tent.withDefaults()),
                        new HyperparameterSelection.Candidate("lr", Tent.withDefaults()))));
        assertTrue(twice.getMessage().contains("'lr'"), twice.getMessage());
        IllegalArgumentException source = assertThrows(IllegalArgumentException.class,
                () -> selection.select(model, test, null, validation, List.of(
                        new HyperparameterSelection.Candidate("none", new SourceOnly()))));
        assertTrue(source.getMessage().contains("is Source"), source.getMessage());
        IllegalArgumentException noValidation = assertThrows(IllegalArgumentException.class,
                () -> selection.select(model, test, null, new MutableDataset<>(validation.getProvenance(),
                        validation.getOutputFactory()), tentGrid()));
        assertTrue(noValidation.getMessage().contains("validation data is empty"), noValidation.getMessage());
        IllegalArgumentException sameName = assertThrows(IllegalArgumentException.class,
                () -> new HyperparameterSelection(new TtaEvaluator(scenario),
                        List.of(new PredictionEntropy(), new PredictionEntropy()), "head"));
        assertTrue(sameName.getMessage().contains("'entropy'"), sameName.getMessage());
    }
}
